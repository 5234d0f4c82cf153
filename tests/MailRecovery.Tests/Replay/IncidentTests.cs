using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MailKit.Net.Pop3;
using MailKit.Security;
using MailRecovery.Tests.TestBed;
using MimeKit;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// The whole incident, as the README's runbook tells it: mail arrives through the alias; the helpdesk pulls and
/// deletes its account; its store is backed up; more mail arrives and is pulled; the disk dies and the store is
/// restored from the backup; <c>replay --since-backup</c> puts the lost mail back into the helpdesk's INBOX; the
/// helpdesk pulls again, and its store holds every message exactly once.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class IncidentTests(TestBedFixture bed)
{
    [Fact]
    public async Task Restore_then_replay_since_backup_leaves_every_message_in_the_helpdesk_exactly_once()
    {
        string tag = TestBedFixture.NewUser("i");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        using var work = new TempDirectory();
        string store = work.Sub("helpdesk-store"), backup = work.Sub("backup"), archive = work.Sub("archive");
        Directory.CreateDirectory(store);
        var helpdesk = new HelpdeskSimulator(bed, primary, store);
        string[] fetchCopy = ["fetch", "--archive", archive, "--source", $"imaps://{copy}@127.0.0.1:{bed.ImapsPort}", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];

        // Before the backup: 3 messages, pulled by the helpdesk and archived by MailRecovery.
        await SendAsync(tag, "before backup", 3);
        await Task.Delay(1100); // pulled in a later second than received: a message of the backup's own second is offered again by design
        await helpdesk.PullAsync();
        Assert.Equal(0, (await CliRunner.RunAsync(fetchCopy)).ExitCode);

        await Task.Delay(1100); // the backup is taken in a later second than any receipt (Received: has whole seconds)
        await TestBedFixture.RunAsync("cp", $"-a {store} {backup}");
        await Task.Delay(1100);

        // After the backup: 4 more, pulled and archived.
        await SendAsync(tag, "after backup", 4);
        await helpdesk.PullAsync();
        Assert.Equal(0, (await CliRunner.RunAsync(fetchCopy)).ExitCode);
        Assert.Equal(7, helpdesk.StoredMessageIds().Count);

        // The disk dies; the store comes back from last night's backup: the 4 are gone.
        Directory.Delete(store, recursive: true);
        await TestBedFixture.RunAsync("cp", $"-a {backup} {store}");
        Assert.Equal(3, helpdesk.StoredMessageIds().Count);

        string[] replay = ["replay", "--archive", archive, "--since-backup", store, "--to", $"imaps://{primary}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes"];
        var replayed = await CliRunner.RunAsync(replay);
        var again = await CliRunner.RunAsync(replay);
        Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
        Assert.True(replayed.Out.Contains("delivered 4", StringComparison.Ordinal), replayed.Out);
        Assert.Contains("delivered 4", replayed.Out, StringComparison.Ordinal);
        Assert.Contains("delivered 0", again.Out, StringComparison.Ordinal);

        await helpdesk.PullAsync();
        List<string> ids = helpdesk.StoredMessageIds();
        Assert.Equal(7, ids.Count);
        Assert.Equal(7, ids.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>
    /// The same incident with <c>watch --primary</c> running as the runbook sets it up, and mail waiting on the
    /// server while the backup runs: <c>replay --pulled-after</c> the backup's time brings back exactly what the
    /// helpdesk took after it, including mail received before the backup and pulled after it.
    /// </summary>
    [Fact]
    public async Task Restore_then_replay_pulled_after_the_backup_brings_back_mail_that_waited_during_the_backup()
    {
        string tag = TestBedFixture.NewUser("ip");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        using var work = new TempDirectory();
        string store = work.Sub("helpdesk-store"), backup = work.Sub("backup"), archive = work.Sub("archive");
        Directory.CreateDirectory(store);
        var helpdesk = new Pop3Helpdesk(bed, primary, store);
        using Process watch = CliRunner.Start(null, "watch", "--archive", archive, "--source", $"imaps://{copy}@127.0.0.1:{bed.ImapsPort}",
            "--primary", $"pop3s://{primary}@127.0.0.1:{bed.Pop3sPort}", "--primary-password-file", bed.PasswordFile,
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--poll-seconds", "1", "--no-idle");
        try
        {
            await SendAsync(tag, "pulled before backup", 3);
            await WaitForLooksAsync(archive);
            Assert.Equal(3, await helpdesk.PullAsync());
            await WaitForLooksAsync(archive);

            await SendAsync(tag, "waiting during backup", 2);
            await WaitForLooksAsync(archive);
            await Task.Delay(1100);
            DateTimeOffset t = DateTimeOffset.UtcNow;
            await TestBedFixture.RunAsync("cp", $"-a {store} {backup}");
            await Task.Delay(1100);
            await WaitForLooksAsync(archive);
            Assert.Equal(2, await helpdesk.PullAsync());
            await WaitForLooksAsync(archive);

            await SendAsync(tag, "after backup", 2);
            await WaitForLooksAsync(archive);
            Assert.Equal(2, await helpdesk.PullAsync());
            await WaitForLooksAsync(archive);

            Directory.Delete(store, recursive: true);
            await TestBedFixture.RunAsync("cp", $"-a {backup} {store}");
            Assert.Equal(3, helpdesk.StoredMessageIds().Count);

            string[] replay = ["replay", "--archive", archive, "--pulled-after", t.ToString("O", CultureInfo.InvariantCulture),
                "--to", $"imaps://{primary}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes"];
            var replayed = await CliRunner.RunAsync(replay);
            Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
            Assert.Contains("delivered 4", replayed.Out, StringComparison.Ordinal);
            var again = await CliRunner.RunAsync(replay);
            Assert.Contains("delivered 0", again.Out, StringComparison.Ordinal);

            await helpdesk.PullAsync();
            List<string> ids = helpdesk.StoredMessageIds();
            Assert.Equal(7, ids.Count);
            Assert.Equal(7, ids.Distinct(StringComparer.Ordinal).Count());
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    /// <summary>Waits until watch has made two looks at the helpdesk's account since now (so one whole pass came after).</summary>
    private static async Task WaitForLooksAsync(string archive)
    {
        var sw = Stopwatch.StartNew();
        DateTimeOffset since = DateTimeOffset.UtcNow;
        for (int seen = 0; seen < 2;)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), "watch --primary made no look at the helpdesk's account within 30 s");
            await Task.Delay(200);
            if (!File.Exists(Path.Combine(archive, "mailrecovery", "index.sqlite")))
                continue;
            var status = await CliRunner.RunAsync("status", "--archive", archive, "--json");
            JsonElement helpdesks = JsonDocument.Parse(status.Out).RootElement.GetProperty("helpdesks");
            if (helpdesks.GetArrayLength() > 0 && helpdesks[0].GetProperty("lastLook").GetDateTimeOffset() > since)
            {
                since = helpdesks[0].GetProperty("lastLook").GetDateTimeOffset();
                seen++;
            }
        }
    }

    private async Task SendAsync(string tag, string subject, int count)
    {
        int before = bed.CountMessages($"safety-{tag}");
        for (int i = 0; i < count; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"{subject} {i}");
        await bed.WaitForMessagesAsync($"safety-{tag}", before + count);
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", count); // the helpdesk deleted the earlier ones
    }

    /// <summary>A helpdesk that pulls its account over POP3, stores each message as a file, and deletes it.</summary>
    private sealed class HelpdeskSimulator(TestBedFixture bed, string user, string store)
    {
        public async Task PullAsync()
        {
            using var client = new Pop3Client { ServerCertificateValidationCallback = bed.Trust.Validate };
            await client.ConnectAsync("127.0.0.1", bed.Pop3sPort, SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(user, bed.Password);
            for (int i = 0; i < client.Count; i++)
            {
                using MimeMessage message = await client.GetMessageAsync(i);
                await message.WriteToAsync(Path.Combine(store, $"{Guid.NewGuid():N}.eml"));
                await client.DeleteMessageAsync(i);
            }

            await client.DisconnectAsync(true);
        }

        public List<string> StoredMessageIds() =>
            Directory.GetFiles(store, "*.eml").Select(f => MimeMessage.Load(f).MessageId ?? "(none)").ToList();
    }
}
