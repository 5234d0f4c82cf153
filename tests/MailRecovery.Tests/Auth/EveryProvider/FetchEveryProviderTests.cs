using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.EveryProvider;

/// <summary>
/// Issue 13's "Done when" for <c>fetch</c>: an account configured with each token provider archives its mailbox
/// over IMAP, byte for byte what the server serves, and no issued token or written secret reaches the output or
/// the archive.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class FetchEveryProviderTests(TestBedFixture bed, IdentityProviderFixture idp) : IClassFixture<IdentityProviderFixture>, IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [MemberData(nameof(TokenProviderSetup.All), MemberType = typeof(TokenProviderSetup))]
    public async Task Fetch_archives_the_mailbox_byte_identical_with_each_token_provider(TokenProvider provider)
    {
        TokenProviderSetup setup = idp.Setup(bed);
        string user = TestBedFixture.NewUser("fep");
        await bed.LoadAsync(user, [TestMessages.Simple(1, $"a.{user}@example.org"), TestMessages.Simple(2, $"b.{user}@example.org")]);
        JsonObject account = await setup.KeysAsync(provider, $"{user}@example.test");
        account["protocol"] = "imap";
        account["host"] = "127.0.0.1";
        account["port"] = bed.ImapsPort;
        account["user"] = $"{user}@example.test";
        var config = new JsonObject { ["archive"] = dir.Sub("archive"), ["caFile"] = bed.CaFile, ["accounts"] = new JsonArray(account) };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--config", dir.Sub("config.json"), "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(2, JsonDocument.Parse(run.Out).RootElement.GetProperty("fetched").GetInt32());
        List<byte[]> onServer = await DeliveredMail.FetchAsync(bed, user, 2);
        Assert.Equal(onServer.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal), ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes);
        SecretScan.AssertNone(setup.AllSecrets, ("fetch output", run.Out + run.Error));
        SecretScan.AssertNoneInDirectory(setup.AllSecrets, dir.Sub("archive"));
    }
}
