using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.EveryProvider;

/// <summary>
/// Issue 13's "Done when" for <c>watch</c>, as an admin runs it: one real process whose configuration has one
/// account per token provider. Mail delivered through Postfix is archived byte-identical for each; then every
/// token dies at the server while the client still thinks it good (Dovecot ends the sessions), more mail arrives,
/// and watch signs in again with a fresh token, losing nothing and counting no failure. Meanwhile and after, no
/// issued token or written secret is in argv, the output, status, auth test, the metrics page or any archive file.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class WatchEveryProviderTests(TestBedFixture bed, IdentityProviderFixture idp) : IClassFixture<IdentityProviderFixture>, IDisposable
{
    /// <summary>How long a token lives at the server; the token endpoint says an hour, so nothing renews it early.</summary>
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromSeconds(20);

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Watch_archives_for_every_provider_renews_tokens_the_server_ended_and_leaks_no_secret()
    {
        StandInIdentityProvider provider = idp.Idp(bed);
        provider.ServerLifetime = ServerLifetime;
        TokenProviderSetup setup = idp.Setup(bed);
        var users = new Dictionary<TokenProvider, string>();
        var accounts = new JsonArray();
        var tokenFiles = new List<(string File, string Email)>();
        foreach (TokenProvider p in Enum.GetValues<TokenProvider>())
        {
            string user = TestBedFixture.NewUser("wep");
            users[p] = user;
            JsonObject account = await setup.KeysAsync(p, $"{user}@example.test");
            if (account["tokenFile"] is { } f)
                tokenFiles.Add((f.ToString(), $"{user}@example.test"));
            if (account["tokenCommand"] is { } c)
                tokenFiles.Add((c.ToString()["cat ".Length..], $"{user}@example.test"));
            account["name"] = p.ToString();
            account["protocol"] = "imap";
            account["host"] = "127.0.0.1";
            account["port"] = bed.ImapsPort;
            account["user"] = $"{user}@example.test";
            accounts.Add(account);
        }

        int port = FreePort();
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"), ["caFile"] = bed.CaFile, ["watch"] = new JsonObject { ["pollSeconds"] = 300 },
            ["metrics"] = new JsonObject { ["listen"] = $"127.0.0.1:{port}" }, ["accounts"] = accounts,
        };
        string configFile = dir.Sub("config.json");
        await File.WriteAllTextAsync(configFile, config.ToJsonString());

        using Process watch = CliRunner.Start(null, "watch", "--config", configFile);
        Task<string> stderr = watch.StandardError.ReadToEndAsync();
        Task<string> stdout = watch.StandardOutput.ReadToEndAsync();
        string cmdline, status, metrics;
        try
        {
            foreach (string user in users.Values)
                await bed.SendAsync($"{user}@example.test", "before the tokens die");
            await WaitForArchivedAsync(configFile, users.Count, watch);
            DateTimeOffset issued = DateTimeOffset.UtcNow;
            cmdline = (await File.ReadAllTextAsync($"/proc/{watch.Id}/cmdline")).Replace('\0', ' ');

            // Every token issued so far is dead at the server now. The helper behind a token file or command
            // has written a fresh one by then (as oama or pizauth do); the identity-platform sources hold a
            // token they believe good for an hour. Dovecot ends the sessions; more mail comes in.
            await Task.Delay(issued + ServerLifetime + TimeSpan.FromSeconds(2) - DateTimeOffset.UtcNow);
            provider.ServerLifetime = null;
            foreach ((string file, string email) in tokenFiles)
                await SecretFile.WriteAsync(file, provider.Mint(email) + "\n");
            provider.ServerLifetime = ServerLifetime;
            foreach (string user in users.Values)
                await KickAsync(user); // Dovecot's session user: the domain is dropped (auth_username_format)
            foreach (string user in users.Values)
                await bed.SendAsync($"{user}@example.test", "after the tokens died");
            JsonElement after = await WaitForArchivedAsync(configFile, 2 * users.Count, watch);

            foreach (JsonElement a in after.GetProperty("accounts").EnumerateArray())
            {
                Assert.True(a.GetProperty("messages").GetInt64() == 2, a.ToString());
                Assert.False(a.TryGetProperty("lastError", out JsonElement e) && e.ValueKind != JsonValueKind.Null, $"a renewed token counted as a failure: {a}");
            }

            Assert.Empty(after.GetProperty("conditions").EnumerateArray());
            status = after.ToString();
            using var http = new HttpClient();
            metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            Assert.DoesNotMatch(@"mailrecovery_pass_failures_total\{[^}]*\} [1-9]", metrics);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{e.Message}\nwatch said: {await stderr}{await stdout}\nidp: {string.Join("\n", provider.Log)}", e);
        }
        finally
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
        }

        // Nothing lost: the archive is byte for byte what each mailbox serves.
        var onServer = new List<byte[]>();
        foreach (string user in users.Values)
            onServer.AddRange(await DeliveredMail.FetchAsync(bed, user, 2));
        Assert.Equal(onServer.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal), ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes);
        // The dead tokens were renewed, not merely lucky: two grants for each identity-platform account (the
        // delegated one's first token came from its device code sign-in).
        Assert.True(provider.Log.Count(l => l == "client_credentials ok") >= 4, string.Join("\n", provider.Log));
        Assert.True(provider.Log.Count(l => l == "urn:ietf:params:oauth:grant-type:jwt-bearer ok") >= 2, string.Join("\n", provider.Log));
        Assert.True(provider.Log.Count(l => l == "refresh_token ok") >= 3, string.Join("\n", provider.Log));

        var places = new List<(string, string)> { ("watch's command line", cmdline), ("watch's output", await stdout + await stderr), ("status --json", status), ("the metrics page", metrics) };
        foreach (TokenProvider p in users.Keys)
        {
            CliRunner.Result auth = await CliRunner.RunAsync("auth", "test", p.ToString(), "--config", configFile, "--json");
            Assert.True(auth.ExitCode == 0, $"auth test {p}: {auth.Out}{auth.Error}");
            places.Add(($"auth test {p} --json", auth.Out + auth.Error));
        }

        SecretScan.AssertNone(setup.AllSecrets, [.. places]);
        SecretScan.AssertNoneInDirectory(setup.AllSecrets, dir.Sub("archive"));
    }

    /// <summary>Runs <c>status --json</c> until the archive holds <paramref name="count"/> messages; returns that report.</summary>
    private static async Task<JsonElement> WaitForArchivedAsync(string config, int count, Process watch)
    {
        var sw = Stopwatch.StartNew();
        string last = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (watch.HasExited)
                throw new TimeoutException($"watch exited with {watch.ExitCode}");
            CliRunner.Result r = await CliRunner.RunAsync("status", "--config", config, "--json", "--tz", "UTC");
            last = r.Out + r.Error;
            if (r.Out.Length > 0)
            {
                JsonElement json = JsonDocument.Parse(r.Out).RootElement.Clone();
                if (json.TryGetProperty("messages", out JsonElement messages) && messages.GetInt64() == count) // no archive yet: an error report
                    return json;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"the archive did not reach {count} messages within 60 s; last status:\n{last}");
    }

    private Task KickAsync(string user) => bed.DoveadmAsync($"kick {user}"); // fails when there was no session to end

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
