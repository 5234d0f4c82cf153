using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Cli;

/// <summary>The scripting contract of <c>mailrecovery fetch</c>, against the real servers.</summary>
[Collection(TestBedCollection.Name)]
public sealed class FetchCommandTests(TestBedFixture bed)
{
    [Fact]
    public async Task One_account_on_the_command_line_with_json_output()
    {
        string user = TestBedFixture.NewUser("cli");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"cli{i}@example.org")));
        using var dir = new TempDirectory();

        var result = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(3, json.RootElement.GetProperty("fetched").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(3, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }

    [Fact]
    public async Task Plain_imap_without_TLS_is_refused_unless_insecure()
    {
        string user = TestBedFixture.NewUser("ins");
        await bed.LoadAsync(user, [TestMessages.Simple(1, "ins@example.org")]);
        using var dir = new TempDirectory();
        string uri = $"imap://{user}@127.0.0.1:{bed.ImapPort}?tls=none";

        var refused = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", uri, "--password-file", bed.PasswordFile);
        var allowed = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", uri, "--password-file", bed.PasswordFile, "--insecure");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--insecure", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Single(ArchiveSnapshot.Take(dir.Path).FileHashes);
    }

    [Fact]
    public async Task A_wrong_password_exits_2_names_the_account_and_archives_nothing()
    {
        string user = TestBedFixture.NewUser("pw");
        await bed.LoadAsync(user, [TestMessages.Simple(1, "pw@example.org")]);
        using var dir = new TempDirectory();
        string wrong = Path.Combine(dir.Path, "wrong-password");
        await SecretFile.WriteAsync(wrong, "not-the-password\n");

        var result = await CliRunner.RunAsync("fetch", "--archive", Path.Combine(dir.Path, "a"), "--source", $"pop3s://{user}@127.0.0.1:{bed.Pop3sPort}",
            "--password-file", wrong, "--ca-file", bed.CaFile, "--json");

        Assert.Equal(2, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement error = json.RootElement.GetProperty("accounts")[0].GetProperty("error");
        Assert.Equal("Authentication", error.GetProperty("kind").GetString());
        Assert.Contains(user, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", result.Out + result.Error, StringComparison.Ordinal);
        Assert.Empty(ArchiveSnapshot.Take(Path.Combine(dir.Path, "a")).FileHashes);
        Assert.Equal(1, bed.CountMessages(user));
    }

    [Fact]
    public async Task An_untrusted_certificate_says_how_to_trust_it()
    {
        string user = TestBedFixture.NewUser("tls");
        using var dir = new TempDirectory();

        var result = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}", "--password-file", bed.PasswordFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not trusted", result.Out, StringComparison.Ordinal);
        Assert.Contains("--ca-file", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_writer_on_the_same_archive_is_refused()
    {
        using var dir = new TempDirectory();
        using MessageArchive held = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);

        var result = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", $"imaps://x@127.0.0.1:{bed.ImapsPort}", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("in use", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_message_is_archived_byte_exact_with_fallbacks()
    {
        string user = TestBedFixture.NewUser("bad");
        byte[] malformed = "From: <<<broken\r\nDate: the day after tomorrow\r\nSubject: =?utf-8?B?!!!?=\r\nX-Junk\r\n\r\n\u00ff\u00e9 8-bit body without a separator problem"u8.ToArray();
        await bed.LoadAsync(user, [malformed]); // (no NUL byte: IMAP servers may not send one, Dovecot sends 0x80)
        using var dir = new TempDirectory();

        var result = await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);

        Assert.Equal(0, result.ExitCode);
        var layout = new ArchiveLayout(dir.Path);
        string file = Assert.Single(ArchiveCataloguer.ListFiles(layout).Values);
        Assert.Equal(malformed, await File.ReadAllBytesAsync(file));
        using ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true);
        ArchivedMessage row = Assert.Single(index.AllMessages());
        Assert.Null(row.Metadata.MessageId);
        Assert.Null(row.Metadata.Date);
        Assert.Equal(ReceivedTimeSource.InternalDate, row.Metadata.ReceivedSource);
    }

    [Fact]
    public async Task Verify_catches_a_tampered_file_and_reindex_rebuilds_an_identical_catalogue()
    {
        string user = TestBedFixture.NewUser("vr");
        await bed.LoadAsync(user, Enumerable.Range(0, 4).Select(i => TestMessages.Simple(i, i == 3 ? null : $"vr{i}@example.org")));
        using var dir = new TempDirectory();
        await CliRunner.RunAsync("fetch", "--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        var layout = new ArchiveLayout(dir.Path);
        List<ArchivedMessage> before;
        using (ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true))
            before = index.AllMessages().ToList();

        Assert.Equal(0, (await CliRunner.RunAsync("archive", "verify", "--archive", dir.Path)).ExitCode);

        File.Delete(layout.IndexPath);
        var reindex = await CliRunner.RunAsync("archive", "reindex", "--archive", dir.Path);
        Assert.Equal(0, reindex.ExitCode);
        using (ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true))
            Assert.Equal(before, index.AllMessages().ToList());

        string victim = ArchiveCataloguer.ListFiles(layout).Values.Order(StringComparer.Ordinal).First();
        byte[] bytes = await File.ReadAllBytesAsync(victim);
        bytes[^3] ^= 0x20; // same size, different content
        await File.WriteAllBytesAsync(victim, bytes);
        var verify = await CliRunner.RunAsync("archive", "verify", "--archive", dir.Path, "--json");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("hash-mismatch", verify.Out, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(victim).Split(':')[0], verify.Out, StringComparison.Ordinal);
    }
}
