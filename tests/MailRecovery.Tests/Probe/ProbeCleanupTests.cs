using System.Diagnostics;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Primary;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Status;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Probe;

/// <summary>
/// Probes that do not become tickets: the probe is removed from the helpdesk's (primary) account as soon as it is
/// seen there, nothing else in that account changes, and a probe the helpdesk took first is counted by <c>status</c>.
/// Against the real Postfix alias, which delivers to both <c>helpdesk-TAG</c> and <c>safety-TAG</c>.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ProbeCleanupTests(TestBedFixture bed)
{
    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task Cleanup_removes_the_probe_from_the_helpdesk_account_and_leaves_the_message_beside_it(string protocol)
    {
        string tag = TestBedFixture.NewUser("pc");
        await bed.LoadAsync($"helpdesk-{tag}", [TestMessages.Simple(1, $"keep-{tag}@example.org")]);
        string before = await StateAsync($"helpdesk-{tag}");

        ProbeReport report = await new AliasVerifyRun(Options(tag, protocol), TimeProvider.System).RunAsync(CancellationToken.None);

        Assert.Equal(ProbeVerdict.Works, report.Verdict);
        Assert.True(report.Primary!.Found, "the probe never reached the helpdesk account");
        Assert.Equal(ProbeCleanupOutcome.Removed, report.PrimaryCleanup);
        Assert.Equal(before, await StateAsync($"helpdesk-{tag}")); // the probe gone; the other message, its flags, the count as they were
        Assert.Equal($"<keep-{tag}@example.org> None", before);
    }

    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task A_probe_the_helpdesk_took_before_cleanup_is_counted_by_status(string protocol)
    {
        string tag = TestBedFixture.NewUser("pt");
        await bed.LoadAsync($"helpdesk-{tag}", [TestMessages.Simple(1, $"keep-{tag}@example.org")]);
        AliasVerifyOptions options = Options(tag, protocol) with { BeforePrimaryCleanup = ct => HelpdeskTakesProbeAsync($"helpdesk-{tag}", ct) };

        ProbeReport report = await new AliasVerifyRun(options, TimeProvider.System).RunAsync(CancellationToken.None);

        Assert.Equal(ProbeVerdict.Works, report.Verdict);
        Assert.Equal(ProbeCleanupOutcome.TakenFirst, report.PrimaryCleanup);
        Assert.Contains(report.Notes, n => n.Contains("before cleanup could", StringComparison.Ordinal));
        Assert.Equal($"<keep-{tag}@example.org> None", await StateAsync($"helpdesk-{tag}"));

        using var dir = new TempDirectory();
        using (MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
            ProbeRecorder.Record(archive.Index, report, DateTimeOffset.UtcNow);
            ProbeRecorder.Record(archive.Index, report with { PrimaryCleanup = ProbeCleanupOutcome.Removed }, DateTimeOffset.UtcNow);
        }

        var json = await CliRunner.RunAsync("status", "--archive", dir.Path, "--json");
        JsonElement cleanups = JsonDocument.Parse(json.Out).RootElement.GetProperty("probeCleanups");
        Assert.Equal(2, cleanups.GetProperty("probes").GetInt32());
        Assert.Equal(1, cleanups.GetProperty("takenFirst").GetInt32());
        Assert.Equal(1, cleanups.GetProperty("removed").GetInt32());
        var text = await CliRunner.RunAsync("status", "--archive", dir.Path);
        Assert.Contains("1 removed by cleanup, 1 taken by the helpdesk before cleanup", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_cleanup_the_probe_stays_in_the_helpdesk_account_and_is_recorded_as_left()
    {
        string tag = TestBedFixture.NewUser("pl");

        ProbeReport report = await new AliasVerifyRun(Options(tag, "imap") with { CleanupPrimary = false }, TimeProvider.System).RunAsync(CancellationToken.None);

        Assert.Equal(ProbeCleanupOutcome.Left, report.PrimaryCleanup);
        Assert.Contains(".probe@", await StateAsync($"helpdesk-{tag}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scheduled_probe_cleans_the_observed_helpdesk_account_and_status_counts_it()
    {
        string tag = TestBedFixture.NewUser("ps");
        await bed.LoadAsync($"helpdesk-{tag}", [TestMessages.Simple(1, $"keep-{tag}@example.org")]);
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(500) }, NullLogger.Instance);

        // No probe.primary: the copy account's own primary (what watch --primary observes) is the one watched and cleaned.
        var probe = new ProbeSchedule(Options(tag, "imap") with { Primary = null, PrimaryCredentials = null }, TimeSpan.FromHours(1))
        {
            ObservedPrimary = new PrimarySpec(bed.Imaps($"helpdesk-{tag}"), bed.Credentials, bed.Trust),
        };
        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps($"safety-{tag}"))], cts.Token, probe);
        var sw = Stopwatch.StartNew();
        while (archive.Index.LastProbe() is null)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), "no probe result within 60 s");
            await Task.Delay(100, cts.Token);
        }

        await cts.CancelAsync();
        await running;
        Assert.Equal("works", archive.Index.LastProbe()!.Value.Verdict);
        Assert.Equal($"<keep-{tag}@example.org> None", await StateAsync($"helpdesk-{tag}"));
        ProbeCleanupTally tally = ProbeCleanupTally.Read(archive.Index, DateTimeOffset.UtcNow.AddHours(-1))!;
        Assert.Equal((1, 1, 0), (tally.Total, tally.Removed, tally.TakenFirst));
    }

    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task Removal_deletes_nothing_whose_probe_header_is_not_the_token(string protocol)
    {
        string tag = TestBedFixture.NewUser("pn");
        await bed.LoadAsync($"helpdesk-{tag}", [TestMessages.Simple(1, $"keep-{tag}@example.org", extraHeaders: $"X-MailRecovery-Probe: other{tag}\r\n")]);
        string before = await StateAsync($"helpdesk-{tag}");
        SourceEndpoint helpdesk = protocol == "imap" ? bed.Imaps($"helpdesk-{tag}") : bed.Pop3s($"helpdesk-{tag}");
        await using IProbeWatcher watcher = protocol == "imap" ? new ImapProbeWatcher(helpdesk, bed.Credentials, bed.Trust) : new Pop3ProbeWatcher(helpdesk, bed.Credentials, bed.Trust);
        await watcher.ConnectAsync(CancellationToken.None);
        if (protocol == "imap")
            Assert.Null(await watcher.LookAsync(tag, CancellationToken.None)); // SEARCH HEADER matches "other{tag}"; the exact header check does not

        // A sighting of the message's own id, as if cleanup had been pointed at it: its header is read again and it is kept.
        var sighting = new ProbeSighting("INBOX", await ServerIdAsync($"helpdesk-{tag}", protocol), new MimeKit.HeaderList());
        Assert.Equal(ProbeRemoval.Gone, await watcher.RemoveAsync(sighting, tag, CancellationToken.None));
        Assert.Equal(before, await StateAsync($"helpdesk-{tag}"));
    }

    /// <summary>The first message's IMAP UID or POP3 UIDL.</summary>
    private async Task<string> ServerIdAsync(string user, string protocol)
    {
        if (protocol == "imap")
        {
            using var imap = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
            await imap.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await imap.AuthenticateAsync(user, bed.Password);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            return (await imap.Inbox.FetchAsync(0, 0, MessageSummaryItems.UniqueId))[0].UniqueId.ToString();
        }

        using var pop3 = new Pop3Client { ServerCertificateValidationCallback = bed.Trust.Validate };
        await pop3.ConnectAsync("127.0.0.1", bed.Pop3sPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await pop3.AuthenticateAsync(user, bed.Password);
        string uid = await pop3.GetMessageUidAsync(0);
        await pop3.DisconnectAsync(true);
        return uid;
    }

    private AliasVerifyOptions Options(string tag, string primaryProtocol) =>
        new(SmtpEndpoint.Parse($"smtp://127.0.0.1:{bed.SmtpPort}", insecure: false), SourceCredentials.None, $"support-{tag}@example.test", null,
            bed.Imaps($"safety-{tag}"), bed.Credentials,
            primaryProtocol == "imap" ? bed.Imaps($"helpdesk-{tag}") : bed.Pop3s($"helpdesk-{tag}"), bed.Credentials,
            bed.Trust, TimeSpan.FromSeconds(20), Cleanup: false)
        {
            CleanupPrimary = true,
        };

    /// <summary>The helpdesk, faster than cleanup: pulls the probe (and only it) from its account over POP3, as a helpdesk does.</summary>
    private async Task HelpdeskTakesProbeAsync(string user, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.Pop3sPort, MailKit.Security.SecureSocketOptions.SslOnConnect, cancellationToken);
        await client.AuthenticateAsync(user, bed.Password, cancellationToken);
        for (int i = 0; i < client.Count; i++)
        {
            if ((await client.GetMessageHeadersAsync(i, cancellationToken))[MessageMetadataReader.ProbeHeader] is not null)
                await client.DeleteMessageAsync(i, cancellationToken);
        }

        await client.DisconnectAsync(true, cancellationToken);
    }

    /// <summary>Every message's Message-ID and flags (without the session's \Recent), in order: what "as it was" means.</summary>
    private async Task<string> StateAsync(string user)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        if (client.Inbox.Count == 0)
            return "(empty)";
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        return string.Join("; ", summaries.Select(s => $"<{s.Envelope!.MessageId}> {s.Flags & ~MessageFlags.Recent}").Order(StringComparer.Ordinal));
    }
}
