using System.Globalization;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// Replay into a helpdesk's IMAP account where alias copies of archived messages may still wait. Postfix on the
/// bed delivers one LMTP transaction per recipient, so the helpdesk's copy and the archived copy differ in their
/// delivery trace (Delivered-To, Received … for) and in size: only the message identity recognises them.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AliasCopyPresenceTests(TestBedFixture bed)
{
    [Fact]
    public async Task Alias_copies_still_waiting_count_as_present_and_only_the_lost_messages_are_appended()
    {
        var (helpdesk, archive) = await AliasScenarioAsync(5);
        using TempDirectory dir = archive;
        await helpdesk.ExpungeAsync(s => s is "mail 0" or "mail 2" or "mail 4"); // pulled after the backup, lost by the restore
        List<HelpdeskImapAccount.Message> waiting = await helpdesk.ListAsync();
        Assert.Equal(2, waiting.Count);
        Assert.All(waiting, w => Assert.DoesNotContain(ArchivedSizes(dir.Path), s => s == w.Size)); // "Message-ID and size" could not match

        JsonElement first = Json(await ReplayAsync(dir.Path, helpdesk.User));
        JsonElement rerun = Json(await ReplayAsync(dir.Path, helpdesk.User));
        DeleteJournal(dir.Path); // a lost journal: only looking can tell now
        JsonElement afterLostJournal = Json(await ReplayAsync(dir.Path, helpdesk.User));

        Assert.Equal((3, 2), (first.GetProperty("delivered").GetInt32(), first.GetProperty("alreadyPresent").GetInt32()));
        Assert.Equal((0, 5), (rerun.GetProperty("delivered").GetInt32(), rerun.GetProperty("skippedByJournal").GetInt32()));
        Assert.Equal((0, 5), (afterLostJournal.GetProperty("delivered").GetInt32(), afterLostJournal.GetProperty("alreadyPresent").GetInt32()));
        List<HelpdeskImapAccount.Message> now = await helpdesk.ListAsync();
        Assert.Equal(5, now.Count);
        Assert.Equal(5, now.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ArchivedFingerprints(dir.Path), now.Select(m => m.Fingerprint).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_copy_the_helpdesk_has_seen_is_made_unread_instead_of_appended_twice()
    {
        var (helpdesk, archive) = await AliasScenarioAsync(3);
        using TempDirectory dir = archive;
        await helpdesk.MarkSeenAsync(s => s == "mail 1"); // taken by an IMAP helpdesk that keeps its mail; its ticket was lost
        await helpdesk.ExpungeAsync(s => s == "mail 2");

        var dry = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--to", Target(helpdesk.User),
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--dry-run", "--json"]);
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error); // the dry run logs in to check the target
        Assert.True((await helpdesk.ListAsync()).Single(m => m.Subject == "mail 1").Seen); // a dry run changes nothing

        var replayed = await ReplayAsync(dir.Path, helpdesk.User, json: false);
        DeleteJournal(dir.Path);
        JsonElement again = Json(await ReplayAsync(dir.Path, helpdesk.User));

        Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
        Assert.Contains("marked unread: 1", replayed.Out, StringComparison.Ordinal);
        Assert.Contains("delivered 1", replayed.Out, StringComparison.Ordinal);
        Assert.Contains("already present 1", replayed.Out, StringComparison.Ordinal);
        Assert.Equal((0, 3, 0), (again.GetProperty("delivered").GetInt32(), again.GetProperty("alreadyPresent").GetInt32(), again.GetProperty("markedUnread").GetInt32()));
        List<HelpdeskImapAccount.Message> now = await helpdesk.ListAsync();
        Assert.Equal(3, now.Count);
        Assert.All(now, m => Assert.False(m.Seen || m.Deleted));
        Assert.Equal(ArchivedFingerprints(dir.Path), now.Select(m => m.Fingerprint).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_different_messages_sharing_a_Message_ID_are_both_delivered()
    {
        string shared = $"shared.{Guid.NewGuid():N}@example.org";
        var (helpdesk, archive) = await AliasScenarioAsync(2, i => shared);
        using TempDirectory dir = archive;
        await helpdesk.ExpungeAsync(s => s == "mail 1"); // the first is still waiting, the second was lost

        JsonElement replayed = Json(await ReplayAsync(dir.Path, helpdesk.User));

        Assert.Equal((1, 1), (replayed.GetProperty("delivered").GetInt32(), replayed.GetProperty("alreadyPresent").GetInt32()));
        List<HelpdeskImapAccount.Message> now = await helpdesk.ListAsync();
        Assert.Equal([shared, shared], now.Select(m => m.MessageId));
        Assert.Equal(["mail 0", "mail 1"], now.Select(m => m.Subject).Order(StringComparer.Ordinal));
    }

    private const string Since = "2000-01-01T00:00:00Z";

    /// <summary>
    /// Sends <paramref name="count"/> messages ("mail 0" …) through the alias, which Postfix delivers to the
    /// helpdesk and to the copy account; archives the copy account. The helpdesk's copies all wait, unseen.
    /// </summary>
    private async Task<(HelpdeskImapAccount Helpdesk, TempDirectory Archive)> AliasScenarioAsync(int count, Func<int, string>? messageId = null)
    {
        string tag = TestBedFixture.NewUser("ap");
        for (int i = 0; i < count; i++)
        {
            string id = messageId?.Invoke(i) ?? $"m{i}.{tag}@example.org";
            await bed.SendAsync($"support-{tag}@example.test", $"mail {i}", $"body of mail {i}", edit: m => m.MessageId = id);
        }

        await bed.WaitForMessagesAsync($"safety-{tag}", count);
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", count);
        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps($"safety-{tag}")));
        return (new HelpdeskImapAccount(bed, $"helpdesk-{tag}"), dir);
    }

    private Task<CliRunner.Result> ReplayAsync(string archive, string user, bool json = true) =>
        CliRunner.RunAsync(["replay", "--archive", archive, "--since", Since, "--to", Target(user),
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes", .. json ? new[] { "--json" } : []]);

    private string Target(string user) => $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX";

    private static void DeleteJournal(string archive)
    {
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            File.Delete(new ArchiveLayout(archive).JournalPath + suffix);
    }

    private static List<long> ArchivedSizes(string archive)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archive).IndexPath, readOnly: true);
        return index.AllMessages().Select(m => m.Size).ToList();
    }

    private static List<string> ArchivedFingerprints(string archive)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archive).IndexPath, readOnly: true);
        return index.AllMessages().Select(m => m.Fingerprint!).Order(StringComparer.Ordinal).ToList();
    }

    private static JsonElement Json(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Out + r.Error);
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }
}
