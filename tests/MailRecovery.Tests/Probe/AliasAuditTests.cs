using System.Globalization;
using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Probe;

/// <summary>
/// <c>alias audit</c> against the real bed: mail through the Postfix alias reaches helpdesk-TAG and safety-TAG;
/// mail sent straight to one of them must be found by comparing the primary with the archive of the copy.
/// </summary>
[Collection(MailRecovery.Tests.TestBed.TestBedCollection.Name)]
public sealed class AliasAuditTests(TestBedFixture bed)
{
    private static string HourAgo => DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Messages_delivered_to_the_primary_only_are_found_over_IMAP()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 3, primaryOnly: 2, copyOnly: 0);
        using (dir)
        {
            var result = await AuditAsync(archive, $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}", "--json");

            Assert.Equal(1, result.ExitCode);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal([$"direct 1 {tag}", $"direct 2 {tag}"], Subjects(json, "primaryOnly"));
            Assert.Empty(Subjects(json, "copyOnly"));
            Assert.Equal(5, json.GetProperty("counts").GetProperty("primary").GetInt32());
            Assert.Equal(3, json.GetProperty("counts").GetProperty("matched").GetInt32());
        }
    }

    [Fact]
    public async Task Reading_the_primary_over_IMAP_changes_no_flag()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 1, primaryOnly: 1, copyOnly: 0);
        using (dir)
        {
            string[] before = MaildirNames($"helpdesk-{tag}");

            var result = await AuditAsync(archive, $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal(before, MaildirNames($"helpdesk-{tag}")); // Maildir flags live in the file names
        }
    }

    [Fact]
    public async Task A_message_only_in_the_copy_is_listed_the_other_way_round()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 0, copyOnly: 1);
        using (dir)
        {
            var result = await AuditAsync(archive, $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}", "--json");

            Assert.Equal(1, result.ExitCode);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Empty(Subjects(json, "primaryOnly"));
            Assert.Equal([$"copy 1 {tag}"], Subjects(json, "copyOnly"));
        }
    }

    [Fact]
    public async Task The_primary_can_be_read_as_a_Maildir()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 3, primaryOnly: 2, copyOnly: 0);
        using (dir)
        {
            var result = await AuditAsync(archive, $"maildir:{bed.Maildir("helpdesk-" + tag)}", "--json");

            Assert.Equal(1, result.ExitCode);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal([$"direct 1 {tag}", $"direct 2 {tag}"], Subjects(json, "primaryOnly"));
            Assert.Empty(Subjects(json, "copyOnly"));
        }
    }

    [Fact]
    public async Task The_primary_can_be_read_over_POP3()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 1, copyOnly: 0);
        using (dir)
        {
            int before = bed.CountMessages($"helpdesk-{tag}");

            var result = await AuditAsync(archive, $"pop3s://helpdesk-{tag}@127.0.0.1:{bed.Pop3sPort}", "--json");

            Assert.Equal(1, result.ExitCode);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal([$"direct 1 {tag}"], Subjects(json, "primaryOnly"));
            Assert.Empty(Subjects(json, "copyOnly"));
            Assert.Equal(before, bed.CountMessages($"helpdesk-{tag}"));
        }
    }

    [Fact]
    public async Task An_eml_export_missing_a_message_shows_it_as_copy_only()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 3, primaryOnly: 0, copyOnly: 0);
        using (dir)
        {
            // The helpdesk's export: every message but the one about "alias 2", in a nested folder.
            string export = dir.Sub("export");
            Directory.CreateDirectory(Path.Combine(export, "2026"));
            int n = 0;
            foreach (string file in MaildirFiles($"helpdesk-{tag}"))
            {
                if (!File.ReadAllText(file).Contains($"Subject: alias 2 {tag}", StringComparison.Ordinal))
                    File.Copy(file, Path.Combine(export, n++ % 2 == 0 ? "" : "2026", $"{n}.eml"));
            }

            var result = await AuditAsync(archive, $"eml:{export}");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("in the primary, missing from the copy (0):", result.Out, StringComparison.Ordinal);
            Assert.Contains("in the copy, not in the primary (1):", result.Out, StringComparison.Ordinal);
            Assert.Contains($"\"alias 2 {tag}\"", result.Out, StringComparison.Ordinal);
            Assert.Contains("the helpdesk never got these", result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_working_alias_audits_clean_and_exits_0()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 0, copyOnly: 0);
        using (dir)
        {
            var result = await AuditAsync(archive, $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("2 in the primary, 2 in the copy, 2 matched", result.Out, StringComparison.Ordinal);
            Assert.Contains("result: the primary and the copy hold the same messages", result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_message_the_helpdesk_holds_twice_is_reported_as_a_duplicate()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 0, copyOnly: 0);
        using (dir)
        {
            // A duplicating replay: the archived copy of "alias 1" appended next to the alias copy still waiting.
            // The two differ in their delivery trace (Delivered-To, Received … for), so not even their sizes match.
            string appended;
            using (var index = MailRecovery.Core.Archive.ArchiveIndex.Open(new MailRecovery.Core.Archive.ArchiveLayout(archive).IndexPath, readOnly: true))
                appended = index.AllMessages().Single(m => m.Metadata.Subject == $"alias 1 {tag}").File;
            await bed.LoadAsync($"helpdesk-{tag}", [await File.ReadAllBytesAsync(new MailRecovery.Core.Archive.ArchiveLayout(archive).Resolve(appended)!)]);

            string[] before = MaildirNames($"helpdesk-{tag}");
            var imap = await AuditAsync(archive, $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}");
            Assert.Equal(before, MaildirNames($"helpdesk-{tag}")); // read whole with BODY.PEEK: no \Seen
            var maildir = await AuditAsync(archive, $"maildir:{bed.Maildir("helpdesk-" + tag)}", "--json");

            Assert.Equal(1, imap.ExitCode);
            Assert.Contains("in the primary more than once (1):", imap.Out, StringComparison.Ordinal);
            Assert.Contains($"2 copies  <", imap.Out, StringComparison.Ordinal);
            Assert.Contains($"\"alias 1 {tag}\"", imap.Out, StringComparison.Ordinal);
            Assert.Contains("result: the primary and the copy DIFFER", imap.Out, StringComparison.Ordinal);
            Assert.Equal(1, maildir.ExitCode);
            JsonElement json = JsonDocument.Parse(maildir.Out).RootElement;
            JsonElement duplicate = Assert.Single(json.GetProperty("duplicates").EnumerateArray().ToList());
            Assert.Equal(2, duplicate.GetProperty("copies").GetInt32());
            Assert.True(duplicate.GetProperty("contentCompared").GetBoolean());
            Assert.Equal(3, json.GetProperty("counts").GetProperty("matched").GetInt32());
            Assert.Empty(Subjects(json, "primaryOnly"));
            Assert.Empty(Subjects(json, "copyOnly"));
        }
    }

    [Fact]
    public async Task Over_POP3_a_repeated_Message_ID_is_compared_by_content_without_marking_anything_seen()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 0, copyOnly: 0);
        using (dir)
        {
            // The duplicating replay of the test above, seen over POP3, which can read a message whole only with
            // TOP n max: before that, a repeated Message-ID was reported with contentCompared=false.
            string appended;
            using (var index = MailRecovery.Core.Archive.ArchiveIndex.Open(new MailRecovery.Core.Archive.ArchiveLayout(archive).IndexPath, readOnly: true))
                appended = index.AllMessages().Single(m => m.Metadata.Subject == $"alias 1 {tag}").File;
            await bed.LoadAsync($"helpdesk-{tag}", [await File.ReadAllBytesAsync(new MailRecovery.Core.Archive.ArchiveLayout(archive).Resolve(appended)!)]);

            var result = await AuditAsync(archive, $"pop3s://helpdesk-{tag}@127.0.0.1:{bed.Pop3sPort}", "--json");

            // No RETR, so no \Seen: Maildir's S flag after ":2," (a session may move new/ to cur/, which adds ":2,").
            string[] after = MaildirNames($"helpdesk-{tag}");
            Assert.Equal(3, after.Length);
            Assert.All(after, name => Assert.DoesNotContain("S", name.Split(":2,") is [_, string flags] ? flags : string.Empty, StringComparison.Ordinal));
            Assert.Equal(1, result.ExitCode);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            JsonElement duplicate = Assert.Single(json.GetProperty("duplicates").EnumerateArray().ToList());
            Assert.Equal(2, duplicate.GetProperty("copies").GetInt32());
            Assert.True(duplicate.GetProperty("contentCompared").GetBoolean());
            Assert.Empty(Subjects(json, "primaryOnly"));
            Assert.Empty(Subjects(json, "copyOnly"));
        }
    }

    [Fact]
    public async Task Over_POP3_two_different_messages_sharing_a_Message_ID_are_not_a_duplicate()
    {
        string tag = TestBedFixture.NewUser("au");
        string date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        byte[] Message(string user, string subject) => System.Text.Encoding.ASCII.GetBytes(
            $"Delivered-To: {user}@example.test\r\nReceived: by mail.example.test for <{user}@example.test>; {date}\r\n"
            + $"Message-ID: <shared-{tag}@example.org>\r\nSubject: {subject} {tag}\r\nFrom: a@example.org\r\n\r\n{subject}\r\n");
        foreach (string user in new[] { $"helpdesk-{tag}", $"safety-{tag}" })
            await bed.LoadAsync(user, [Message(user, "first"), Message(user, "second")]);
        using var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Sub("archive"), Fetcher.Account(bed, bed.Imaps($"safety-{tag}")));

        var result = await AuditAsync(dir.Sub("archive"), $"pop3s://helpdesk-{tag}@127.0.0.1:{bed.Pop3sPort}", "--json");

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Empty(json.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(2, json.GetProperty("counts").GetProperty("matched").GetInt32());
    }

    [Fact]
    public async Task A_wrong_primary_password_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        string tag = TestBedFixture.NewUser("au");
        await Fetcher.RunAsync(dir.Sub("archive"), Fetcher.Account(bed, bed.Imaps($"safety-{tag}")));
        string wrong = dir.Sub("wrong");
        await SecretFile.WriteAsync(wrong, "not-the-password\n");

        var result = await CliRunner.RunAsync("alias", "audit", "--archive", dir.Sub("archive"), "--primary", $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}",
            "--since", HourAgo, "--password-file", wrong, "--ca-file", bed.CaFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("refused the user name or password", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends <paramref name="viaAlias"/> messages to the alias, <paramref name="primaryOnly"/> straight to the
    /// helpdesk and <paramref name="copyOnly"/> straight to the copy, waits, and archives the copy.
    /// </summary>
    [Fact]
    public async Task With_only_config_and_since_the_archive_primary_password_and_ca_come_from_the_configuration()
    {
        (string tag, string archive, TempDirectory dir) = await ScenarioAsync(viaAlias: 2, primaryOnly: 1, copyOnly: 0);
        using (dir)
        {
            string config = Path.Combine(dir.Path, "config.json");
            await File.WriteAllTextAsync(config, $$"""
                { "archive": "{{archive}}", "caFile": "{{bed.CaFile}}",
                  "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "safety-{{tag}}", "passwordFile": "{{bed.PasswordFile}}",
                    "primary": { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "helpdesk-{{tag}}", "passwordFile": "{{bed.PasswordFile}}" } } ] }
                """);

            var result = await CliRunner.RunAsync("alias", "audit", "--config", config, "--since", HourAgo, "--json");

            Assert.True(result.ExitCode == 1, result.Out + result.Error);
            JsonElement json = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal([$"direct 1 {tag}"], Subjects(json, "primaryOnly"));
            Assert.Equal(2, json.GetProperty("counts").GetProperty("matched").GetInt32());
        }
    }

    [Fact]
    public async Task Without_a_primary_anywhere_the_fix_names_the_flag_and_the_configuration_key()
    {
        using var dir = new TempDirectory();
        string config = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "user": "x", "passwordFile": "{{bed.PasswordFile}}" } ] }
            """);

        var result = await CliRunner.RunAsync("alias", "audit", "--config", config, "--since", HourAgo);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--primary", result.Error, StringComparison.Ordinal);
        Assert.Contains("\"accounts[0].primary\"", result.Error, StringComparison.Ordinal);
    }

    private async Task<(string Tag, string Archive, TempDirectory Dir)> ScenarioAsync(int viaAlias, int primaryOnly, int copyOnly)
    {
        string tag = TestBedFixture.NewUser("au");
        for (int i = 1; i <= viaAlias; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"alias {i} {tag}");
        for (int i = 1; i <= primaryOnly; i++)
            await bed.SendAsync($"helpdesk-{tag}@example.test", $"direct {i} {tag}");
        for (int i = 1; i <= copyOnly; i++)
            await bed.SendAsync($"safety-{tag}@example.test", $"copy {i} {tag}");
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", viaAlias + primaryOnly);
        await bed.WaitForMessagesAsync($"safety-{tag}", viaAlias + copyOnly);

        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Sub("archive"), Fetcher.Account(bed, bed.Imaps($"safety-{tag}")));
        return (tag, dir.Sub("archive"), dir);
    }

    private Task<CliRunner.Result> AuditAsync(string archive, string primary, params string[] extra) =>
        CliRunner.RunAsync(["alias", "audit", "--archive", archive, "--primary", primary, "--since", HourAgo,
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, .. extra]);

    private static string[] Subjects(JsonElement json, string list) =>
        json.GetProperty(list).EnumerateArray().Select(e => e.GetProperty("subject").GetString()!).Order(StringComparer.Ordinal).ToArray();

    private IEnumerable<string> MaildirFiles(string user) =>
        new[] { "cur", "new" }.Select(d => Path.Combine(bed.Maildir(user), d)).Where(Directory.Exists).SelectMany(Directory.EnumerateFiles);

    private string[] MaildirNames(string user) => MaildirFiles(user).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
