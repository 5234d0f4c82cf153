using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRecovery.Core.Auth;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Cli;

/// <summary>
/// <c>mailrecovery auth login ACCOUNT</c> for a Google installed-app account, against the stand-in identity provider:
/// the test plays the browser (reads the printed URL, GETs it, follows the redirect to the loopback listener or
/// pastes the redirected address), the refresh token is stored 0600, and a fetch with it signs in to the bed's
/// Dovecot. Refusals (state, PKCE verifier, access_denied, no refresh token, timeout) are plain and store nothing.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class GoogleLoginCommandTests(TestBedFixture bed) : IAsyncLifetime
{
    private const string Secret = "GOCSPX-login-secret-0815";
    private readonly TempDirectory dir = new();
    private readonly string clientId = Guid.NewGuid().ToString("N") + ".apps.googleusercontent.com";
    private readonly string user = TestBedFixture.NewUser("glogin") + "@example.test";
    private StandInIdentityProvider idp = null!;

    private string Store => dir.Sub("gmail.token");

    private string Config => dir.Sub("config.json");

    public async Task InitializeAsync()
    {
        idp = await StandInIdentityProvider.StartAsync(bed);
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = Secret };
        await SecretFile.WriteAsync(dir.Sub("client.secret"), Secret + "\n");
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "gmail",
                ["protocol"] = "imap",
                ["host"] = "127.0.0.1",
                ["port"] = bed.ImapsPort,
                ["user"] = user,
                ["oauth2"] = new JsonObject
                {
                    ["provider"] = "google",
                    ["clientId"] = clientId,
                    ["clientSecretFile"] = dir.Sub("client.secret"),
                    ["tokenStore"] = Store,
                    ["authority"] = idp.TokenUri.AbsoluteUri,
                    ["authorizationEndpoint"] = idp.AuthorizationUri.AbsoluteUri,
                    ["scope"] = $"{bed.OAuthAudience}/{bed.OAuthScope}",
                },
            }),
        };
        await File.WriteAllTextAsync(Config, config.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await idp.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task Loopback_login_stores_the_refresh_token_and_fetch_then_signs_in_with_it()
    {
        string local = user[..user.IndexOf('@', StringComparison.Ordinal)];
        await bed.LoadAsync(local, [TestMessages.Simple(1, $"a.{local}@example.org"), TestMessages.Simple(2, $"b.{local}@example.org")]);
        await using Login login = await Login.StartAsync(Config);

        Uri url = login.Url;
        Assert.StartsWith(idp.AuthorizationUri.AbsoluteUri + "?", url.AbsoluteUri, StringComparison.Ordinal);
        foreach (string part in (string[])[$"client_id={clientId}", "response_type=code", "code_challenge_method=S256", "access_type=offline", "prompt=consent", $"login_hint={Uri.EscapeDataString(user)}", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"])
            Assert.Contains(part, url.Query, StringComparison.Ordinal);
        (Uri redirect, string page) = await Browser.SignInAsync(bed, url);
        string code = Query(redirect, "code");
        (int exit, string output) = await login.FinishAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("received the sign-in", page, StringComparison.Ordinal);
        Assert.Contains($"signed in as {user}", output, StringComparison.Ordinal);
        Assert.Contains("next: mailrecovery auth test gmail -c ", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Store));
        string refreshToken = (await new RefreshTokenStore(Store).LoadAsync(default))!.Secret;
        Assert.True(idp.IsRefreshTokenValid(refreshToken));
        AssertNothingSecret(output, code, refreshToken);

        CliRunner.Result fetch = await CliRunner.RunAsync("fetch", "--config", Config, "--json");
        Assert.True(fetch.ExitCode == 0, fetch.Out + fetch.Error);
        Assert.Contains("\"fetched\":2", fetch.Out.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(["authorize ok", "authorization_code ok", "refresh_token ok"], idp.Log);
        string rotated = (await new RefreshTokenStore(Store).LoadAsync(default))!.Secret;
        Assert.NotEqual(refreshToken, rotated); // rotated by the fetch, saved for the next run
        AssertNothingSecret(fetch.Out + fetch.Error, code, refreshToken);
        AssertNothingSecret(fetch.Out + fetch.Error, code, rotated);
    }

    [Fact]
    public async Task A_browser_s_idle_speculative_connection_does_not_hold_up_the_redirect()
    {
        await using Login login = await Login.StartAsync(Config);
        int port = new Uri(Query(login.Url, "redirect_uri")).Port;
        using var idle = new System.Net.Sockets.TcpClient();
        await idle.ConnectAsync("127.0.0.1", port); // accepted first, sends nothing (the listener waits 10 s for it)

        var watch = Stopwatch.StartNew();
        (_, string page) = await Browser.SignInAsync(bed, login.Url);
        (int exit, string output) = await login.FinishAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("received the sign-in", page, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Paste_login_takes_the_address_the_browser_ended_at_from_standard_input()
    {
        await using Login login = await Login.StartAsync(Config, "--paste");

        Uri redirect = await Browser.ApproveAsync(bed, login.Url); // the page at 127.0.0.1 would fail to load on the laptop
        await login.PasteAsync(redirect.AbsoluteUri);
        (int exit, string output) = await login.FinishAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("paste it here", output, StringComparison.Ordinal);
        Assert.Contains($"signed in as {user}", output, StringComparison.Ordinal);
        string refreshToken = (await new RefreshTokenStore(Store).LoadAsync(default))!.Secret;
        AssertNothingSecret(output, Query(redirect, "code"), refreshToken);
        CliRunner.Result test = await CliRunner.RunAsync("auth", "test", "gmail", "-c", Config);
        Assert.True(test.ExitCode == 0, test.Out + test.Error);
    }

    [Fact]
    public async Task A_redirect_with_another_state_is_refused_and_nothing_is_redeemed_or_stored()
    {
        await using Login login = await Login.StartAsync(Config, "--paste");

        Uri redirect = await Browser.ApproveAsync(bed, login.Url);
        string forged = StateParameter().Replace(redirect.AbsoluteUri, "state=0123456789abcdef0123456789abcdef");
        await login.PasteAsync(forged);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(2, exit);
        Assert.Contains("does not belong to this sign-in", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
        Assert.DoesNotContain("authorization_code ok", idp.Log);
        AssertNothingSecret(output, Query(redirect, "code"), null);
    }

    [Fact]
    public async Task A_code_issued_for_another_PKCE_challenge_is_refused_by_the_provider_with_a_plain_fix()
    {
        await using Login login = await Login.StartAsync(Config);

        // A code obtained for someone else's challenge (what PKCE defends against): the verb's verifier does not match.
        string other = Pkce.ChallengeOf("a-verifier-this-process-never-had-0123456789");
        var tampered = new Uri(ChallengeParameter().Replace(login.Url.AbsoluteUri, "code_challenge=" + other));
        await Browser.SignInAsync(bed, tampered);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(2, exit);
        Assert.Contains("invalid_grant (Invalid code verifier.)", output, StringComparison.Ordinal);
        Assert.Contains("PKCE verifier", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task A_declined_consent_says_access_denied_and_how_to_allow()
    {
        idp.DeclinedUsers[user] = true;
        await using Login login = await Login.StartAsync(Config);

        (_, string page) = await Browser.SignInAsync(bed, login.Url);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(2, exit);
        Assert.Contains("access_denied", page, StringComparison.Ordinal);
        Assert.Contains("the sign-in was refused: access_denied", output, StringComparison.Ordinal);
        Assert.Contains("choose Allow", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task Signing_in_as_another_Google_account_than_the_configured_user_is_refused_and_nothing_stored()
    {
        idp.SignInAs = "someone.else@example.test";
        await using Login login = await Login.StartAsync(Config);

        await Browser.SignInAsync(bed, login.Url);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(2, exit);
        Assert.Contains($"signed in as someone.else@example.test, but the account signs in as {user}; nothing was stored", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task A_reply_without_a_refresh_token_says_to_revoke_and_sign_in_again()
    {
        idp.RefreshTokenOnCodeGrant = false;
        await using Login login = await Login.StartAsync(Config);

        await Browser.SignInAsync(bed, login.Url);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(2, exit);
        Assert.Contains("holds no refresh token", output, StringComparison.Ordinal);
        Assert.Contains("myaccount.google.com/permissions", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
    }

    [Fact]
    public async Task A_web_application_client_never_redirects_and_the_login_times_out_naming_the_desktop_app_fix()
    {
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = Secret, DesktopApp = false };
        await using Login login = await Login.StartAsync(Config, "--timeout", "3");

        using HttpClient browser = BedHttp.Client(bed);
        using HttpResponseMessage refused = await browser.GetAsync(login.Url);
        (int exit, string output) = await login.FinishAsync();

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("redirect_uri_mismatch", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("redirect_uri_mismatch, the OAuth client is not of type \"Desktop app\"", output, StringComparison.Ordinal);
        Assert.Equal(2, exit);
        Assert.Contains("no sign-in arrived within", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_ends_the_login_plainly_and_frees_the_port()
    {
        await using Login login = await Login.StartAsync(Config, "--paste");
        int port = new Uri(Query(login.Url, "redirect_uri")).Port;

        // System.CommandLine installs its Ctrl+C handler once the verb's action first yields, just after the
        // instructions are printed; a SIGINT in those milliseconds would end the process by the signal (exit 130).
        await Task.Delay(TimeSpan.FromSeconds(1));
        await TestBedFixture.RunAsync("kill", $"-INT {login.Id}");
        (int exit, string output) = await login.FinishAsync();

        Assert.True(exit == 75, output);
        Assert.Contains("interrupted", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Store));
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }

    private static string Query(Uri uri, string name) =>
        Uri.UnescapeDataString(uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == name)[1]);

    private static void AssertNothingSecret(string text, string code, string? refreshToken)
    {
        Assert.DoesNotContain(code, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        if (refreshToken is not null)
            Assert.DoesNotContain(refreshToken, text, StringComparison.Ordinal);
    }

    [GeneratedRegex("state=[0-9a-f]+")]
    private static partial Regex StateParameter();

    [GeneratedRegex("code_challenge=[A-Za-z0-9_-]+")]
    private static partial Regex ChallengeParameter();

    /// <summary>The user's browser: GETs the authorization URL and, unless told not to, follows the redirect to the loopback listener.</summary>
    private static class Browser
    {
        /// <summary>Approves at the stand-in and returns the address it redirects to, without loading it.</summary>
        public static async Task<Uri> ApproveAsync(TestBedFixture bed, Uri url)
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                SslOptions = { RemoteCertificateValidationCallback = bed.Trust.Validate },
            });
            using HttpResponseMessage reply = await http.GetAsync(url);
            Assert.True(reply.StatusCode == System.Net.HttpStatusCode.Found, await reply.Content.ReadAsStringAsync());
            return reply.Headers.Location!;
        }

        /// <summary>Approves and loads the redirect at the loopback listener; returns the address and the page.</summary>
        public static async Task<(Uri Redirect, string Page)> SignInAsync(TestBedFixture bed, Uri url)
        {
            Uri redirect = await ApproveAsync(bed, url);
            using var http = new HttpClient();
            using HttpResponseMessage page = await http.GetAsync(redirect);
            return (redirect, await page.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A running <c>auth login gmail</c>: its printed URL, its standard input, its exit.</summary>
    private sealed class Login : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string seen;
        private readonly Task<string> stderr;

        private Login(Process process, Uri url, string seen, Task<string> stderr)
        {
            this.process = process;
            Url = url;
            this.seen = seen;
            this.stderr = stderr;
        }

        public Uri Url { get; }

        public int Id => process.Id;

        public static async Task<Login> StartAsync(string config, params string[] extra)
        {
            Process p = CliRunner.StartInteractive(["auth", "login", "gmail", "-c", config, .. extra]);
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            string seen = string.Empty;
            Uri? url = null;
            // The instructions end with "Waiting up to N s."; the URL is the line that starts with https://.
            while (await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
            {
                seen += line + "\n";
                if (line.StartsWith("https://", StringComparison.Ordinal))
                    url = new Uri(line);
                if (line.StartsWith("If Google says", StringComparison.Ordinal))
                    break;
            }

            if (url is null)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail(seen + await stderr);
            }

            return new Login(p, url!, seen, stderr);
        }

        public async Task PasteAsync(string text)
        {
            await process.StandardInput.WriteLineAsync(text);
            await process.StandardInput.FlushAsync();
        }

        /// <summary>The exit code and everything printed (standard output and error).</summary>
        public async Task<(int Exit, string Output)> FinishAsync()
        {
            string rest = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (process.ExitCode, seen + rest + await stderr);
        }

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
