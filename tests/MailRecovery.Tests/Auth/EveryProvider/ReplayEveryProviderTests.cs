using System.Text.Json.Nodes;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.EveryProvider;

/// <summary>
/// Issue 13's "Done when" for <c>replay</c>: to an IMAP target and to the bed's submission port (SMTP AUTH through
/// Dovecot), signing in with each token provider from the configuration's <c>replay</c> section, and with the
/// token flags; every archived message arrives exactly once (IMAP: byte-identical; SMTP: the archived bytes under
/// the servers' trace fields), and no token or secret is in the output or the archive.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ReplayEveryProviderTests(TestBedFixture bed, IdentityProviderFixture idp) : IClassFixture<IdentityProviderFixture>, IDisposable
{
    private readonly TempDirectory dir = new();

    public static TheoryData<TokenProvider, string> ConfigCases()
    {
        var cases = new TheoryData<TokenProvider, string>();
        foreach (TokenProvider p in Enum.GetValues<TokenProvider>())
        {
            cases.Add(p, "imap");
            cases.Add(p, "smtp");
        }

        return cases;
    }

    public void Dispose() => dir.Dispose();

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public async Task Replay_delivers_exactly_once_signing_in_by_the_configured_provider(TokenProvider provider, string kind)
    {
        TokenProviderSetup setup = idp.Setup(bed);
        (string target, string[] to, List<byte[]> archived) = await ArchiveAsync(kind);
        JsonObject replay = await setup.KeysAsync(provider, $"{target}@example.test");
        JsonObject copy = new() { ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = "copy", ["passwordFile"] = bed.PasswordFile };
        var config = new JsonObject { ["archive"] = dir.Sub("archive"), ["caFile"] = bed.CaFile, ["accounts"] = new JsonArray(copy), ["replay"] = replay };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--config", dir.Sub("config.json"), "--since", "2000-01-01T00:00:00Z", .. to, "--yes", "--json"]);

        await AssertDeliveredOnceAsync(run, target, kind, archived, setup);
    }

    [Theory]
    [InlineData(TokenProvider.TokenFile, "imap")]
    [InlineData(TokenProvider.TokenFile, "smtp")]
    [InlineData(TokenProvider.TokenCommand, "imap")]
    [InlineData(TokenProvider.TokenCommand, "smtp")]
    public async Task Replay_delivers_exactly_once_signing_in_by_a_token_flag(TokenProvider provider, string kind)
    {
        TokenProviderSetup setup = idp.Setup(bed);
        (string target, string[] to, List<byte[]> archived) = await ArchiveAsync(kind);
        string file = await setup.TokenFileAsync($"{target}@example.test");
        string[] flag = provider == TokenProvider.TokenFile ? ["--token-file", file] : ["--token-command", "cat " + file];

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Sub("archive"), "--since", "2000-01-01T00:00:00Z", .. to, .. flag,
            "--ca-file", bed.CaFile, "--yes", "--json"]);

        await AssertDeliveredOnceAsync(run, target, kind, archived, setup);
    }

    /// <summary>An archive of two messages (fetched with the bed's password), a fresh target user and the --to flags for it.</summary>
    private async Task<(string Target, string[] To, List<byte[]> Archived)> ArchiveAsync(string kind)
    {
        string source = TestBedFixture.NewUser("rps");
        string target = TestBedFixture.NewUser("rpt");
        await bed.LoadAsync(source, [TestMessages.Simple(1, $"a.{source}@example.org"), TestMessages.Simple(2, $"b.{source}@example.org")]);
        await Fetcher.RunAsync(dir.Sub("archive"), Fetcher.Account(bed, bed.Imaps(source)));
        List<byte[]> archived = ArchiveCataloguer.ListFiles(new ArchiveLayout(dir.Sub("archive"))).Values.Select(File.ReadAllBytes).ToList();
        Assert.Equal(2, archived.Count);
        string[] to = kind == "imap"
            ? ["--to", $"imaps://{target}%40example.test@127.0.0.1:{bed.ImapsPort}/INBOX"]
            : ["--to", $"smtp://{target}%40example.test@127.0.0.1:{bed.SubmissionPort}", "--rcpt", $"{target}@example.test"];
        return (target, to, archived);
    }

    private async Task AssertDeliveredOnceAsync(CliRunner.Result run, string target, string kind, List<byte[]> archived, TokenProviderSetup setup)
    {
        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        List<byte[]> delivered = await DeliveredMail.FetchAsync(bed, target, archived.Count);
        await Task.Delay(500); // a second copy would be in by now (LMTP is synchronous behind Postfix's queue)
        Assert.Equal(archived.Count, bed.CountMessages(target));
        if (kind == "imap")
        {
            Assert.Equal(archived.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal), delivered.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal));
        }
        else
        {
            // The archived Return-Path becomes MAIL FROM, and the final delivery writes its own on top (RFC 5321 4.4).
            foreach (byte[] a in archived.Select(WithoutReturnPath))
                Assert.True(delivered.Count(d => d.AsSpan().EndsWith(a)) == 1, $"archived:\n{System.Text.Encoding.UTF8.GetString(a)}\ndelivered:\n{string.Join("\n----\n", delivered.Select(System.Text.Encoding.UTF8.GetString))}");
        }

        SecretScan.AssertNone(setup.AllSecrets, ("replay output", run.Out + run.Error));
        SecretScan.AssertNoneInDirectory(setup.AllSecrets, dir.Sub("archive"));
    }

    private static byte[] WithoutReturnPath(byte[] message)
    {
        if (!message.AsSpan().StartsWith("Return-Path:"u8))
            return message;
        int end = message.AsSpan().IndexOf("\r\n"u8) + 2;
        return message[end..];
    }
}
