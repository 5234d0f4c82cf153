using System.Globalization;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Primary;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using MimeKit;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// replay --pulled-after T on the real bed: the alias delivers each message to the helpdesk's account and to the
/// copy account (one LMTP transaction each, so each copy has its own trace); the primary ledger looks at the
/// helpdesk's account as watch does after each pass; the helpdesk's store is backed up at T while mail waits on the
/// server, more is pulled, the store is restored, and exactly what the helpdesk took after T comes back.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class PulledAfterTests(TestBedFixture bed)
{
    [Fact]
    public async Task Restore_with_mail_waiting_at_the_backup_replays_exactly_what_the_pop3_helpdesk_took_after_it()
    {
        string tag = TestBedFixture.NewUser("pa");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        using var work = new TempDirectory();
        string store = work.Sub("helpdesk-store"), backup = work.Sub("backup"), archive = work.Sub("archive");
        Directory.CreateDirectory(store);
        var helpdesk = new Pop3Helpdesk(bed, primary, store);
        var spec = new PrimarySpec(bed.Pop3s(primary), bed.Credentials, bed.Trust);
        string copyUri = $"imaps://{copy}@127.0.0.1:{bed.ImapsPort}";
        string copyKey = SourceUri.Parse(copyUri, false).AccountKey;
        Task Fetch() => FetchAsync(archive, copyUri);
        Task Look() => LookAsync(archive, spec, copyKey);

        // A: arrived, seen waiting, pulled before the backup: the backup holds them.
        await SendAsync(tag, "A-pulled-before", 2);
        await Fetch();
        await Look();
        Assert.Equal(2, await helpdesk.PullAsync("A-"));
        await Look();

        // B: arrived before the backup and still waiting on the server when it ran.
        await SendAsync(tag, "B-waiting-at-backup", 2);
        await Fetch();
        await Look();

        // C: arrived before the backup, never seen by a look, pulled after it: the ledger brackets it around T.
        await SendAsync(tag, "C-straddle", 1);
        await Fetch();

        await Task.Delay(1100); // Received: has whole seconds: T lies in a later second than every receipt so far
        DateTimeOffset t = DateTimeOffset.UtcNow;
        await TestBedFixture.RunAsync("cp", $"-a {store} {backup}");
        await Task.Delay(1100);

        Assert.Equal(1, await helpdesk.PullAsync("C-"));
        await Look(); // B still waiting after T
        Assert.Equal(2, await helpdesk.PullAsync("B-"));

        // D: arrived and taken between two looks, after T.
        await SendAsync(tag, "D-between-looks", 1);
        Assert.Equal(1, await helpdesk.PullAsync("D-"));
        await Fetch();
        await Look();

        // E: seen in the primary before the archive had it (look before fetch): matched on a later pass.
        await SendAsync(tag, "E-after", 2);
        await Look();
        await Fetch();
        Assert.Equal(2, await helpdesk.PullAsync("E-"));
        await Look();

        // F: still waiting at the last look: the helpdesk will pull it itself.
        await SendAsync(tag, "F-still-waiting", 1);
        await Fetch();
        await Look();

        // The disk dies; the store comes back from the backup made at T.
        Directory.Delete(store, recursive: true);
        await TestBedFixture.RunAsync("cp", $"-a {backup} {store}");
        Assert.Equal(["A-pulled-before 0", "A-pulled-before 1"], helpdesk.StoredSubjects());

        string pulledAfter = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        string[] replay = ["replay", "--archive", archive, "--pulled-after", pulledAfter, "--to", $"imaps://{primary}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];

        var dry = await CliRunner.RunAsync([.. replay, "--dry-run", "--json"]);
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        JsonElement plan = JsonDocument.Parse(dry.Out).RootElement;
        JsonElement ledger = plan.GetProperty("pulledAfter");
        Assert.Equal(6, plan.GetProperty("selected").GetInt32());
        Assert.Equal(5, ledger.GetProperty("takenAfter").GetInt32());
        Assert.Equal(1, ledger.GetProperty("takenAround").GetInt32());
        Assert.Equal(1, ledger.GetProperty("waiting").GetInt32());

        var text = await CliRunner.RunAsync([.. replay, "--dry-run"]);
        Assert.Matches(@"taken around T:\s+1\s+replayed", text.Out);
        Assert.Matches(@"waiting at the last look:\s+1\s+not replayed", text.Out);
        var skipping = await CliRunner.RunAsync([.. replay, "--dry-run", "--json", "--skip-taken-around"]);
        Assert.Equal(5, JsonDocument.Parse(skipping.Out).RootElement.GetProperty("selected").GetInt32());

        var replayed = await CliRunner.RunAsync([.. replay, "--yes"]);
        Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
        Assert.Contains("delivered 6", replayed.Out, StringComparison.Ordinal);

        // watch goes on looking: the replayed copies now wait in the account, and a second replay adds nothing.
        await Look();
        var again = await CliRunner.RunAsync([.. replay, "--yes"]);
        Assert.True(again.ExitCode == 0, again.Out + again.Error);
        Assert.Contains("delivered 0", again.Out, StringComparison.Ordinal);

        await helpdesk.PullAsync();
        Assert.Equal(
            ["A-pulled-before 0", "A-pulled-before 1", "B-waiting-at-backup 0", "B-waiting-at-backup 1", "C-straddle 0", "D-between-looks 0", "E-after 0", "E-after 1", "F-still-waiting 0"],
            helpdesk.StoredSubjects());
        Assert.Equal(9, helpdesk.StoredMessageIds().Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_helpdesk_that_keeps_its_mail_and_marks_it_seen_is_taken_when_seen()
    {
        string tag = TestBedFixture.NewUser("pk");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        using var work = new TempDirectory();
        string archive = work.Sub("archive"), target = work.Sub("restored");
        var helpdesk = new ImapKeepHelpdesk(bed, primary);
        var spec = new PrimarySpec(bed.Imaps(primary), bed.Credentials, bed.Trust);
        string copyUri = $"imaps://{copy}@127.0.0.1:{bed.ImapsPort}";
        string copyKey = SourceUri.Parse(copyUri, false).AccountKey;
        Task Fetch() => FetchAsync(archive, copyUri);
        Task Look() => LookAsync(archive, spec, copyKey);

        await SendAsync(tag, "K1-read-before", 1);
        await Fetch();
        await Look();
        Assert.Single(await helpdesk.TakeUnseenAsync("K1-"));
        await Look();
        await Task.Delay(1100);
        DateTimeOffset t = DateTimeOffset.UtcNow;
        await Task.Delay(1100);
        await SendAsync(tag, "K2-read-after", 1);
        await Fetch();
        await Look();
        Assert.Single(await helpdesk.TakeUnseenAsync("K2-"));
        await Look();
        await SendAsync(tag, "K3-unread", 1);
        await Fetch();
        await Look();

        string pulledAfter = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        string[] replay = ["replay", "--archive", archive, "--pulled-after", pulledAfter, "--to", $"maildir:{target}"];
        var dry = await CliRunner.RunAsync([.. replay, "--dry-run", "--json"]);
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        JsonElement ledger = JsonDocument.Parse(dry.Out).RootElement.GetProperty("pulledAfter");
        Assert.Equal(1, ledger.GetProperty("takenAfter").GetInt32());
        Assert.Equal(0, ledger.GetProperty("takenAround").GetInt32());
        Assert.Equal(1, ledger.GetProperty("waiting").GetInt32());

        var replayed = await CliRunner.RunAsync([.. replay, "--yes"]);
        Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
        string[] files = Directory.GetFiles(Path.Combine(target, "cur")).Concat(Directory.GetFiles(Path.Combine(target, "new"))).ToArray();
        Assert.Equal(["K2-read-after 0"], files.Select(f => MimeMessage.Load(f).Subject ?? string.Empty).ToArray());

        // status: when the helpdesk last pulled, and a message waiting longer than the limit is flagged.
        var status = await CliRunner.RunAsync("status", "--archive", archive, "--json", "--max-waiting-minutes", "0.0001");
        JsonElement helpdeskJson = JsonDocument.Parse(status.Out).RootElement.GetProperty("helpdesks")[0];
        Assert.Equal(1, helpdeskJson.GetProperty("waiting").GetInt32());
        Assert.NotEqual(JsonValueKind.Undefined, helpdeskJson.GetProperty("lastPulled").ValueKind);
        await Look(); // a later look still sees K3 waiting: now it has waited longer than the limit
        status = await CliRunner.RunAsync("status", "--archive", archive, "--json", "--max-waiting-minutes", "0.0001");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("has not taken mail", status.Out, StringComparison.Ordinal);
        var relaxed = await CliRunner.RunAsync("status", "--archive", archive, "--json", "--max-waiting-minutes", "60");
        Assert.DoesNotContain("has not taken mail", relaxed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pulled_after_without_a_ledger_is_a_usage_error_that_names_the_alternatives()
    {
        string tag = TestBedFixture.NewUser("pn");
        using var work = new TempDirectory();
        string archive = work.Sub("archive");
        await SendAsync(tag, "N-only", 1);
        await FetchAsync(archive, $"imaps://safety-{tag}@127.0.0.1:{bed.ImapsPort}");

        var result = await CliRunner.RunAsync("replay", "--archive", archive, "--pulled-after", "2026-01-01T00:00Z", "--to", $"maildir:{work.Sub("t")}", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--since", result.Error, StringComparison.Ordinal);
        Assert.Contains("--primary", result.Error, StringComparison.Ordinal);
    }

    private async Task FetchAsync(string archive, string copyUri)
    {
        var result = await CliRunner.RunAsync("fetch", "--archive", archive, "--source", copyUri, "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
    }

    /// <summary>One look as watch makes it after a pass.</summary>
    private static async Task LookAsync(string archive, PrimarySpec spec, string copyKey)
    {
        using MessageArchive a = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var gate = new SemaphoreSlim(1, 1);
        await new PrimaryLookRun(a.Index, PrimaryLookRun.DefaultObserver, TimeProvider.System, gate).LookAsync(copyKey, spec, CancellationToken.None);
    }

    /// <summary>Sends through the alias and waits for both copies.</summary>
    private async Task SendAsync(string tag, string subject, int count)
    {
        int copies = bed.CountMessages($"safety-{tag}"), primaries = bed.CountMessages($"helpdesk-{tag}");
        for (int i = 0; i < count; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"{subject} {i}");
        await bed.WaitForMessagesAsync($"safety-{tag}", copies + count);
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", primaries + count);
    }
}
