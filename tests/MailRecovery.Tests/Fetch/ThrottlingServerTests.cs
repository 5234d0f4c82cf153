using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Resilience;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// Issue 13 point 4: a provider that says "slow down" in the middle of a pass. Exchange Online answers a command
/// it throttles with "Suggested Backoff Time: N milliseconds"; Gmail with [OVERQUOTA] when a mailbox's bandwidth is
/// used up. Both are a wait, then the pass resumes; the account is not reported failed, and the waits do not use up
/// the retries meant for a broken network (MaxRetries = 0 here).
/// </summary>
public sealed class ThrottlingServerTests : IDisposable
{
    private const string Message = "From: a@example.org\r\nSubject: x\r\nMessage-ID: <throttled@example.org>\r\n\r\nbody\r\n";

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task An_Exchange_suggested_backoff_is_waited_then_the_pass_resumes_and_the_account_is_not_failed()
    {
        await using var server = ScriptedMailServer.StartEach(2, (s, n) => ImapScriptAsync(s,
            n == 1 ? "NO [THROTTLED] Request is throttled. Suggested Backoff Time: 1500 milliseconds" : null));

        var watch = Stopwatch.StartNew();
        FetchReport report = await FetchAsync(server.Port, TimeProvider.System, CancellationToken.None);
        watch.Stop();

        Assert.Null(report.Accounts[0].Error);
        Assert.Equal((0, 1, 0), (report.ExitCode, report.Fetched, report.Failed));
        Assert.Empty(report.Accounts[0].Failures);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1400), $"waited only {watch.Elapsed}");
        Assert.Equal(Message, await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "cur")))));
    }

    [Fact]
    public async Task Gmail_OVERQUOTA_pauses_the_account_for_the_quota_pause_then_resumes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var refused = new TaskCompletionSource();
        int connections = 0;
        await using var server = ScriptedMailServer.StartEach(2, async (s, n) =>
        {
            connections = n;
            await ImapScriptAsync(s, n == 1 ? "NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)" : null);
            if (n == 1)
                refused.TrySetResult();
        });

        Task<FetchReport> fetch = FetchAsync(server.Port, clock, CancellationToken.None);
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(300); // the retry arms its timer on the fake clock
        clock.Advance(ProviderThrottling.QuotaPause - TimeSpan.FromMinutes(1));
        await Task.Delay(300);
        Assert.False(fetch.IsCompleted);
        Assert.Equal(1, connections);

        clock.Advance(TimeSpan.FromMinutes(1));
        FetchReport report = await fetch.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Null(report.Accounts[0].Error);
        Assert.Equal((0, 1), (report.ExitCode, report.Fetched));
        Assert.Equal(2, connections);
    }

    [Fact]
    public async Task A_throttled_pass_is_cancellable_during_its_wait()
    {
        await using var server = ScriptedMailServer.StartEach(1, (s, _) => ImapScriptAsync(s, "NO [THROTTLED] Request is throttled. Suggested Backoff Time: 60000 milliseconds"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FetchAsync(server.Port, TimeProvider.System, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    private async Task<FetchReport> FetchAsync(int port, TimeProvider clock, CancellationToken cancellationToken)
    {
        string passwordFile = Path.Combine(dir.Path, "..", Path.GetFileName(dir.Path) + ".pw");
        await SecretFile.WriteAsync(passwordFile, "pw\n");
        try
        {
            var endpoint = new SourceEndpoint(MailProtocol.Imap, "127.0.0.1", port, TlsMode.None, "u", ["INBOX"]);
            var account = new AccountSpec(endpoint.AccountKey, endpoint, new SourceCredentials(passwordFile, null), CertificateTrust.System, ServerPolicy.Keep);
            var options = new FetchOptions { Resilience = new ResilienceOptions { MaxRetries = 0, ConnectTimeout = TimeSpan.FromSeconds(10) } };
            using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
            var run = new FetchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), options, NullLogger.Instance);
            return await run.RunAsync([account], cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Just enough IMAP (RFC 9051) for one pass over a mailbox holding UID 7; <paramref name="refusal"/> answers the download.</summary>
    private static async Task ImapScriptAsync(ScriptedMailServer s, string? refusal)
    {
        await s.SendAsync("* OK [CAPABILITY IMAP4rev1 UIDPLUS] scripted");
        while (await s.ReadLineAsync() is string line)
        {
            string[] parts = line.Split(' ', 3);
            string tag = parts[0];
            string command = string.Join(' ', parts.Skip(1)).ToUpperInvariant();
            if (command.StartsWith("CAPABILITY", StringComparison.Ordinal))
                await s.SendAsync($"* CAPABILITY IMAP4rev1 UIDPLUS\n{tag} OK done");
            else if (command.StartsWith("LOGIN", StringComparison.Ordinal))
                await s.SendAsync($"{tag} OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in");
            else if (command.StartsWith("NAMESPACE", StringComparison.Ordinal))
                await s.SendAsync($"* NAMESPACE ((\"\" \"/\")) NIL NIL\n{tag} OK done");
            else if (command.StartsWith("LIST", StringComparison.Ordinal))
                await s.SendAsync($"* LIST () \"/\" INBOX\n{tag} OK done");
            else if (command.StartsWith("EXAMINE", StringComparison.Ordinal) || command.StartsWith("SELECT", StringComparison.Ordinal))
                await s.SendAsync($"* 1 EXISTS\n* 0 RECENT\n* FLAGS (\\Seen)\n* OK [UIDVALIDITY 5] v\n* OK [UIDNEXT 8] n\n{tag} OK [READ-ONLY] done");
            else if (command.StartsWith("UID SEARCH", StringComparison.Ordinal))
                await s.SendAsync($"* SEARCH 7\n{tag} OK done");
            else if (command.StartsWith("UID FETCH", StringComparison.Ordinal) && command.Contains("BODY", StringComparison.Ordinal))
            {
                await s.SendAsync(refusal is not null ? $"{tag} {refusal}" : $"* 1 FETCH (UID 7 BODY[] {{{Message.Length}}}\n{Message.Replace("\r\n", "\n", StringComparison.Ordinal)})\n{tag} OK done");
                if (refusal is not null)
                    return; // the client gives this connection up and comes back after the wait
            }
            else if (command.StartsWith("UID FETCH", StringComparison.Ordinal))
                await s.SendAsync($"* 1 FETCH (UID 7 RFC822.SIZE {Message.Length} INTERNALDATE \"26-Nov-2026 02:00:00 +0000\")\n{tag} OK done");
            else if (command.StartsWith("LOGOUT", StringComparison.Ordinal))
            {
                await s.SendAsync($"* BYE bye\n{tag} OK done");
                return;
            }
            else
                await s.SendAsync($"{tag} OK done");
        }
    }
}
