using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

[Collection(TestBedCollection.Name)]
public sealed class FetchImapTests(TestBedFixture bed)
{
    [Theory]
    [InlineData(TlsMode.Implicit)]
    [InlineData(TlsMode.StartTls)]
    public async Task Mail_sent_through_the_alias_arrives_in_the_archive_byte_exact(TlsMode tls)
    {
        string tag = TestBedFixture.NewUser("a");
        for (int i = 0; i < 3; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"alias test {i}");
        await bed.WaitForMessagesAsync($"safety-{tag}", 3);
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", 3);

        using var dir = new TempDirectory();
        SourceEndpoint endpoint = tls == TlsMode.Implicit ? bed.Imaps($"safety-{tag}") : bed.ImapStartTls($"safety-{tag}");
        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(3, report.Fetched);
        var onServer = await ServerBytesAsync(endpoint);
        var snapshot = ArchiveSnapshot.Take(dir.Path);
        Assert.Equal(onServer.Select(Sha).Order(StringComparer.Ordinal), snapshot.FileHashes);
        Assert.Equal(snapshot.FileHashes, snapshot.IndexHashes);

        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(dir.Path).IndexPath, readOnly: true);
        var rows = index.AllMessages().ToList();
        Assert.All(rows, r => Assert.Equal(ReceivedTimeSource.ReceivedHeader, r.Metadata.ReceivedSource));
        Assert.All(rows, r => Assert.Contains($"safety-{tag}@example.test", r.Metadata.Recipients, StringComparison.Ordinal));
        Assert.Equal(["alias test 0", "alias test 1", "alias test 2"], rows.Select(r => r.Metadata.Subject).Order());
    }

    [Fact]
    public async Task A_second_run_fetches_nothing_and_keep_leaves_the_server_untouched()
    {
        string user = TestBedFixture.NewUser("k");
        await bed.LoadAsync(user, Enumerable.Range(0, 5).Select(i => TestMessages.Simple(i, $"k{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user));

        var first = await Fetcher.RunAsync(dir.Path, account);
        var second = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal(5, first.Fetched);
        Assert.Equal(0, second.Fetched);
        Assert.Equal(5, second.AlreadyHad);
        Assert.Equal(5, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);

        using var client = await ConnectAsync(bed.Imaps(user));
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags);
        Assert.Equal(5, summaries.Count);
        Assert.All(summaries, s => Assert.False(s.Flags!.Value.HasFlag(MessageFlags.Seen), "reading with keep must not set \\Seen"));
    }

    [Fact]
    public async Task Delete_policy_removes_exactly_the_archived_messages()
    {
        string user = TestBedFixture.NewUser("d");
        await bed.LoadAsync(user, Enumerable.Range(0, 4).Select(i => TestMessages.Simple(i, $"d{i}@example.org")));
        using var dir = new TempDirectory();

        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user), ServerPolicy.Delete));

        Assert.Equal(4, report.Fetched);
        Assert.Equal(4, report.Accounts[0].Removed);
        using var client = await ConnectAsync(bed.Imaps(user));
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(0, client.Inbox.Count);
        Assert.Equal(4, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }

    [Fact]
    public async Task Delete_older_than_removes_only_archived_messages_received_before_the_cutoff()
    {
        string user = TestBedFixture.NewUser("o");
        string Days(int ago) => DateTimeOffset.UtcNow.AddDays(-ago).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        await bed.LoadAsync(user, [TestMessages.Simple(1, "old1@example.org", received: Days(10)), TestMessages.Simple(2, "old2@example.org", received: Days(8)),
            TestMessages.Simple(3, "new1@example.org", received: Days(2)), TestMessages.Simple(4, "new2@example.org", received: Days(0))]);
        using var dir = new TempDirectory();

        Assert.True(ServerPolicy.TryParse("delete-older-than:5", out ServerPolicy policy));
        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user), policy));

        Assert.Equal(4, report.Fetched);
        Assert.Equal(2, report.Accounts[0].Removed);
        using var client = await ConnectAsync(bed.Imaps(user));
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var left = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope);
        Assert.Equal(["new1@example.org", "new2@example.org"], left.Select(s => s.Envelope!.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(4, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(1)] // each message its own batch: the copy arrives while the first is still being made durable
    public async Task Two_different_messages_sharing_a_Message_ID_are_both_kept_and_identical_content_once(int batch)
    {
        string user = TestBedFixture.NewUser("s");
        byte[] a = TestMessages.Simple(1, "same@example.org");
        byte[] b = TestMessages.Simple(2, "same@example.org");
        await bed.LoadAsync(user, [a, a, b]); // the second is byte-identical to the first
        using var dir = new TempDirectory();

        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user)), Fetcher.FastOptions(batch: batch));

        Assert.Equal(2, report.Fetched);
        Assert.Equal(1, report.AlreadyHad);
        Assert.Equal([Sha(a), Sha(b)], ArchiveSnapshot.Take(dir.Path).FileHashes.Order(StringComparer.Ordinal).ToList().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_UIDVALIDITY_change_is_remapped_without_archiving_again()
    {
        string user = TestBedFixture.NewUser("u");
        await bed.LoadAsync(user, Enumerable.Range(0, 6).Select(i => TestMessages.Simple(i, i == 5 ? null : $"u{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user));
        await Fetcher.RunAsync(dir.Path, account);
        var before = ArchiveSnapshot.Take(dir.Path);

        await bed.DoveadmAsync($"mailbox update -u {user} --uid-validity 4242 INBOX");
        var after = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal(0, after.Fetched);
        Assert.Equal(6, after.AlreadyHad);
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(before);
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(dir.Path).IndexPath, readOnly: true);
        Assert.Equal(6, index.ArchivedServerIds(account.Endpoint.AccountKey, "INBOX", 4242).Count);
        Assert.Equal(4242u, index.StoredUidValidity(account.Endpoint.AccountKey, "INBOX"));
    }

    [Fact]
    public async Task After_a_UIDVALIDITY_change_the_same_messages_with_another_delivery_trace_are_linked_not_stored_again()
    {
        // A server that rebuilt the mailbox (a migration) serves the same messages with a new trace on top: new
        // sizes, new hashes, the same message identity. Stored again, a replay would deliver each twice.
        string user = TestBedFixture.NewUser("u");
        byte[][] messages = Enumerable.Range(0, 4).Select(i => TestMessages.Simple(i, i == 3 ? null : $"r{i}@example.org")).ToArray();
        await bed.LoadAsync(user, messages);
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user));
        await Fetcher.RunAsync(dir.Path, account);
        var before = ArchiveSnapshot.Take(dir.Path);

        await bed.DoveadmAsync($"expunge -u {user} mailbox INBOX all");
        await bed.LoadAsync(user, messages.Select(m => System.Text.Encoding.ASCII.GetBytes("Delivered-To: migrated@example.test\r\nReceived: from old-store by new-store; Sun, 29 Nov 2026 03:00:00 +0000\r\n").Concat(m).ToArray()));
        await bed.DoveadmAsync($"mailbox update -u {user} --uid-validity 4243 INBOX");
        var after = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal((0, 4), (after.Fetched, after.AlreadyHad));
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(before);
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(dir.Path).IndexPath, readOnly: true);
        Assert.Equal(4, index.ArchivedServerIds(account.Endpoint.AccountKey, "INBOX", 4243).Count);
    }

    internal static string Sha(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private async Task<ImapClient> ConnectAsync(SourceEndpoint endpoint)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync(endpoint.Host, endpoint.Port, MailServiceConnector.ToSocketOptions(endpoint.Tls));
        await client.AuthenticateAsync(endpoint.User, bed.Password);
        return client;
    }

    private async Task<List<byte[]>> ServerBytesAsync(SourceEndpoint endpoint)
    {
        using ImapClient client = await ConnectAsync(endpoint);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var list = new List<byte[]>();
        for (int i = 0; i < client.Inbox.Count; i++)
        {
            using Stream s = await client.Inbox.GetStreamAsync(i, string.Empty);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms);
            list.Add(ms.ToArray());
        }

        return list;
    }
}
