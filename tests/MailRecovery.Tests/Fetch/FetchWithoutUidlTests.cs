using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A POP3 server without UIDL (RFC 1939 makes it optional) has no stable message ids: every pass downloads
/// everything and recognises what it already has by content hash. Dovecot always offers UIDL, so this is the
/// pass logic against a scripted source.
/// </summary>
public sealed class FetchWithoutUidlTests
{
    private static readonly byte[][] Messages = [TestMessages.Simple(1, "a@example.org"), TestMessages.Simple(2, "b@example.org"), TestMessages.Simple(1, "a@example.org")];

    [Fact]
    public async Task Every_pass_downloads_everything_but_stores_each_content_once_and_warns()
    {
        using var dir = new TempDirectory();
        var source = new NoUidlSource(Messages);

        FetchReport first = await RunAsync(dir.Path, source, ServerPolicy.Keep);
        FetchReport second = await RunAsync(dir.Path, source, ServerPolicy.Keep);

        Assert.Equal((2, 1), (first.Fetched, first.AlreadyHad));
        Assert.Equal((0, 3), (second.Fetched, second.AlreadyHad));
        Assert.Contains(first.Accounts[0].Warnings, w => w.Contains("UIDL", StringComparison.Ordinal));
        Assert.Equal(6, source.Downloads);
        Assert.Equal(2, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
        Assert.Empty(source.Removed);
    }

    [Fact]
    public async Task With_delete_every_archived_message_is_removed_and_nothing_else()
    {
        using var dir = new TempDirectory();
        var source = new NoUidlSource(Messages);

        FetchReport report = await RunAsync(dir.Path, source, ServerPolicy.Delete);

        Assert.Equal(0, report.ExitCode);
        Assert.Equal([0, 1, 2], source.Removed.Order());
        Assert.Equal(2, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }

    private static async Task<FetchReport> RunAsync(string root, NoUidlSource source, ServerPolicy policy)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        var account = new AccountSpec("old-pop3", source.Endpoint, SourceCredentials.None, CertificateTrust.System, policy);
        return await new FetchRun(archive, _ => source, Fetcher.FastOptions(), NullLogger.Instance).RunAsync([account], CancellationToken.None);
    }

    /// <summary>A POP3 mailbox without UIDL: messages are known only by their number in the session.</summary>
    private sealed class NoUidlSource(byte[][] messages) : IMessageSource, IMailboxReader
    {
        public int Downloads { get; private set; }

        public List<int> Removed { get; } = [];

        public SourceEndpoint Endpoint { get; } = new(MailProtocol.Pop3, "pop.example.test", 110, TlsMode.StartTls, "copy", []);

        public string Mailbox => string.Empty;

        public uint UidValidity => 0;

        public bool HasStableIds => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken) => Task.FromResult<IMailboxReader>(this);

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> StartWatchingAsync(string mailbox, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<IReadOnlyList<ServerMessage>> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ServerMessage>>(messages.Select((m, i) => new ServerMessage(string.Empty, i, m.Length)).ToList());

        public Task<IReadOnlyList<ServerMessage>> DescribeAsync(IReadOnlyList<ServerMessage> list, bool withMessageId, CancellationToken cancellationToken) => Task.FromResult(list);

        public async Task DownloadAsync(IReadOnlyList<ServerMessage> list, MessageSink sink, CancellationToken cancellationToken)
        {
            foreach (ServerMessage m in list)
            {
                Downloads++;
                await sink(m, new MemoryStream(messages[m.Index]), cancellationToken);
            }
        }

        public Task RemoveAsync(IReadOnlyList<ServerMessage> list, CancellationToken cancellationToken)
        {
            Removed.AddRange(list.Select(m => m.Index));
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
