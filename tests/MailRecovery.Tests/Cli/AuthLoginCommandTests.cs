using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Cli;

/// <summary>
/// <c>mailrecovery auth login ACCOUNT</c> (device code, against the stand-in authority): prints the URL and code, waits
/// for the approval, stores the refresh token 0600; afterwards <c>auth test</c> signs in unattended.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class AuthLoginCommandTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Login_prints_the_code_waits_for_approval_stores_the_refresh_token_and_then_auth_test_works_unattended()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("login") + "@example.test";
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId);
        string store = dir.Sub("helpdesk.token");
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "helpdesk",
                ["protocol"] = "imap",
                ["host"] = "127.0.0.1",
                ["port"] = bed.ImapsPort,
                ["user"] = user,
                ["oauth2"] = new JsonObject
                {
                    ["provider"] = "microsoft",
                    ["tenant"] = StandInIdentityProvider.Tenant,
                    ["clientId"] = clientId,
                    ["tokenStore"] = store,
                    ["authority"] = idp.AuthorityHost.AbsoluteUri,
                    ["scope"] = $"{bed.OAuthAudience}/{bed.OAuthScope} offline_access",
                },
            }),
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        using Process login = CliRunner.Start(null, "auth", "login", "helpdesk", "-c", dir.Sub("config.json"));
        Task<string> stderr = login.StandardError.ReadToEndAsync();
        // Microsoft's instruction ("To sign in, use a web browser to open … and enter the code … to authenticate.").
        string seen = string.Empty;
        Match code = Match.Empty;
        while (!code.Success && await login.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            seen += line + "\n";
            code = UserCode().Match(line);
        }

        if (!code.Success)
            login.Kill(entireProcessTree: true);
        Assert.True(code.Success, seen);
        idp.Approve(code.Groups[1].Value, user);
        string rest = await login.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await login.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(login.ExitCode == 0, rest + await stderr);
        Assert.Contains($"signed in as {user}", rest, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store));

        CliRunner.Result test = await CliRunner.RunAsync("auth", "test", "helpdesk", "-c", dir.Sub("config.json"));
        Assert.True(test.ExitCode == 0, test.Out + test.Error);
        Assert.Contains($"user      {user}", test.Out, StringComparison.Ordinal);
    }

    [GeneratedRegex("enter the code ([A-Z]+) ")]
    private static partial Regex UserCode();
}
