using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// Issue 13's scripting contract against the real bed: <c>--token-file</c> and <c>--token-command</c> wherever
/// <c>--password-file</c> works (fetch over IMAP and POP3, replay to IMAP and SMTP submission, alias verify), the
/// mechanism chosen from what the server offers, and the token never in the output or the index.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class TokenFlagTests(TestBedFixture bed) : IDisposable
{
    private const string Since = "2000-01-01T00:00:00Z";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Fetch_over_IMAP_signs_in_with_a_token_file_and_keeps_the_token_out_of_output_and_index()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("tfi");
        await bed.LoadAsync(user, [TestMessages.Simple(1, $"a.{user}@example.org"), TestMessages.Simple(2, $"b.{user}@example.org")]);
        string token = idp.Mint($"{user}@example.test");
        await SecretFile.WriteAsync(dir.Sub("token"), token + "\n");

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("archive"), "--source", $"imaps://{user}%40example.test@127.0.0.1:{bed.ImapsPort}",
            "--token-file", dir.Sub("token"), "--ca-file", bed.CaFile, "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(2, JsonDocument.Parse(run.Out).RootElement.GetProperty("fetched").GetInt32());
        AssertNoSecret(token, run, dir.Sub("archive"));
    }

    [Fact]
    public async Task Fetch_over_POP3_signs_in_with_a_token_command()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("tcp");
        await bed.LoadAsync(user, [TestMessages.Simple(1, $"a.{user}@example.org"), TestMessages.Simple(2, $"b.{user}@example.org"), TestMessages.Simple(3, $"c.{user}@example.org")]);
        string token = idp.Mint($"{user}@example.test");
        await SecretFile.WriteAsync(dir.Sub("token"), token + "\n");
        string script = dir.Sub("print-token.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\ncat '{dir.Sub("token")}'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("archive"), "--source", $"pop3s://{user}%40example.test@127.0.0.1:{bed.Pop3sPort}",
            "--token-command", script, "--ca-file", bed.CaFile, "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(3, JsonDocument.Parse(run.Out).RootElement.GetProperty("fetched").GetInt32());
        AssertNoSecret(token, run, dir.Sub("archive"));
    }

    [Fact]
    public async Task Fetch_over_POP3_with_a_refused_token_is_an_authentication_failure()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("tpr");
        await bed.LoadAsync(user, [TestMessages.Simple(1, $"a.{user}@example.org")]);
        await SecretFile.WriteAsync(dir.Sub("token"), idp.Mint($"someone-else-{user}@example.test") + "\n");

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("archive"), "--source", $"pop3s://{user}%40example.test@127.0.0.1:{bed.Pop3sPort}",
            "--token-file", dir.Sub("token"), "--ca-file", bed.CaFile, "--json");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("auth", run.Out + run.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_password_file_and_a_token_file_together_are_a_usage_error_naming_both()
    {
        await SecretFile.WriteAsync(dir.Sub("token"), "x\n");
        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("archive"), "--source", $"imaps://u@127.0.0.1:{bed.ImapsPort}",
            "--password-file", bed.PasswordFile, "--token-file", dir.Sub("token"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--password-file and --token-file", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imap")]
    [InlineData("smtp")]
    public async Task Replay_delivers_with_a_token_file(string kind)
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string source = TestBedFixture.NewUser("trs");
        string target = TestBedFixture.NewUser("trt");
        await bed.LoadAsync(source, [TestMessages.Simple(1, $"a.{source}@example.org"), TestMessages.Simple(2, $"b.{source}@example.org")]);
        await Fetcher.RunAsync(dir.Sub("archive"), Fetcher.Account(bed, bed.Imaps(source)));
        string token = idp.Mint($"{target}@example.test");
        await SecretFile.WriteAsync(dir.Sub("token"), token + "\n");
        string[] to = kind == "imap"
            ? ["--to", $"imaps://{target}%40example.test@127.0.0.1:{bed.ImapsPort}/INBOX"]
            : ["--to", $"smtp://{target}%40example.test@127.0.0.1:{bed.SubmissionPort}", "--rcpt", $"{target}@example.test"];

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Sub("archive"), "--since", Since, .. to,
            "--token-file", dir.Sub("token"), "--ca-file", bed.CaFile, "--yes", "--json"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        await bed.WaitForMessagesAsync(target, 2, TimeSpan.FromSeconds(20));
        AssertNoSecret(token, run, dir.Sub("archive"));
    }

    [Fact]
    public async Task Alias_verify_submits_and_looks_with_tokens()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string tag = TestBedFixture.NewUser("tav");
        string sender = TestBedFixture.NewUser("tas");
        await SecretFile.WriteAsync(dir.Sub("smtp-token"), idp.Mint($"{sender}@example.test") + "\n");
        await SecretFile.WriteAsync(dir.Sub("copy-token"), idp.Mint($"safety-{tag}@example.test") + "\n");

        CliRunner.Result run = await CliRunner.RunAsync("alias", "verify", "--smtp", $"smtp://{sender}%40example.test@127.0.0.1:{bed.SubmissionPort}",
            "--smtp-token-file", dir.Sub("smtp-token"), "--alias", $"support-{tag}@example.test",
            "--copy", $"imaps://safety-{tag}%40example.test@127.0.0.1:{bed.ImapsPort}", "--copy-token-file", dir.Sub("copy-token"),
            "--ca-file", bed.CaFile, "--timeout", "20", "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal("works", JsonDocument.Parse(run.Out).RootElement.GetProperty("verdict").GetString());
    }

    /// <summary>The token is in none of: standard output, standard error, the index's bytes (WAL included).</summary>
    internal static void AssertNoSecret(string secret, CliRunner.Result run, string archive)
    {
        Assert.DoesNotContain(secret, run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, run.Error, StringComparison.Ordinal);
        string signature = secret[(secret.LastIndexOf('.') + 1)..];
        foreach (string file in Directory.EnumerateFiles(archive, "*", SearchOption.AllDirectories).Where(f => f.Contains(".sqlite", StringComparison.Ordinal) || f.EndsWith(".db", StringComparison.Ordinal) || f.Contains("index", StringComparison.Ordinal)))
        {
            string bytes = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(signature, bytes, StringComparison.Ordinal);
        }
    }
}
