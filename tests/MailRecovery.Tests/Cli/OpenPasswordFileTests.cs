using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Cli;

/// <summary>Issue 10: every verb refuses a password file that group or others can read, with exit 2 and <c>chmod 600 FILE</c>.</summary>
[Collection(TestBedCollection.Name)]
public sealed class OpenPasswordFileTests(TestBedFixture bed)
{
    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    public async Task Fetch_and_replay_exit_2_with_chmod_600_as_the_fix(UnixFileMode open)
    {
        string user = TestBedFixture.NewUser("openpw");
        await bed.LoadAsync(user, [TestMessages.Simple(1, "openpw@example.org")]);
        using var dir = new TempDirectory();
        string path = dir.Sub("pw");
        await File.WriteAllTextAsync(path, bed.Password + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | open);

        var fetch = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("a"), "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", path, "--ca-file", bed.CaFile);
        var replay = await CliRunner.RunAsync("replay", "--archive", dir.Sub("a"), "--since", "2000-01-01T00:00Z",
            "--to", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", path, "--ca-file", bed.CaFile, "--dry-run");

        foreach (CliRunner.Result result in new[] { fetch, replay })
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"chmod 600 {path}", result.Out + result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(bed.Password, result.Error + result.Out, StringComparison.Ordinal);
        }
    }
}
