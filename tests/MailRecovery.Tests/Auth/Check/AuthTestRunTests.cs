using MailRecovery.Core.Auth;
using MailRecovery.Core.Auth.Check;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.Check;

/// <summary>
/// Issue 13 point 3 against the real Dovecot and Postfix: <c>auth test</c> signs in with a token over IMAP, POP3 and
/// SMTP submission and, when refused, explains it from the token's claims (Dovecot's reason is in its log only).
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AuthTestRunTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_good_token_signs_in_everywhere_and_its_claims_are_read()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("authok") + "@example.test";

        AuthTestReport report = await RunAsync(user, idp.Mint(user));

        Assert.True(report.AllOk, string.Join("\n", report.Verdicts.Select(v => $"{v.Protocol}: {v.Problem}")));
        Assert.Equal(["IMAP", "POP3", "SMTP"], report.Verdicts.Select(v => v.Protocol));
        Assert.True(report.Claims!.IsJwt);
        Assert.Equal([bed.OAuthAudience], report.Claims.Audience);
        Assert.Contains(bed.OAuthScope, report.Claims.Scopes);
        Assert.Equal(user, report.Claims.User);
        Assert.Equal(StandInIdentityProvider.Tenant, report.Claims.Tenant);
        Assert.True(report.Claims.ExpiresOn > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_and_the_fix_names_the_audience_the_server_wants()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("authaud") + "@example.test";

        AuthTestReport report = await RunAsync(user, idp.Mint(user, c => c["aud"] = "https://graph.microsoft.com"));

        Assert.All(report.Verdicts, v => Assert.False(v.Ok));
        string fix = Assert.Single(report.Verdicts[0].Fixes);
        Assert.Contains("https://graph.microsoft.com", fix, StringComparison.Ordinal);
        Assert.Contains($"the server wants {bed.OAuthAudience}", fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_scope_is_refused_and_the_fix_names_the_missing_scope()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("authscope") + "@example.test";

        AuthTestReport report = await RunAsync(user, idp.Mint(user, c => c["scope"] = "openid profile"));

        Assert.False(report.Verdicts[0].Ok);
        string fix = Assert.Single(report.Verdicts[0].Fixes);
        Assert.Contains($"lacks the scope {bed.OAuthScope}", fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_tenant_is_told_with_the_identity_platforms_error_and_fix_and_nothing_is_tried()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        using HttpClient http = BedHttp.Client(bed);
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = "s", Permissions = [bed.OAuthScope] };
        await SecretFile.WriteAsync(dir.Sub("secret"), "s\n");
        var msal = new MicrosoftAppSource(new MicrosoftAppOptions("unknown-tenant", clientId)
        {
            ClientSecretFile = dir.Sub("secret"), Scopes = [bed.OAuthAudience + "/.default"], AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false,
        }, http);

        AuthTestReport report = await new AuthTestRun(new AuthTestOptions(new TokenCredential(msal), [AuthTarget.Of(bed.Imaps("x@example.test"))]) { Trust = bed.Trust }, TimeProvider.System)
            .RunAsync(CancellationToken.None);

        Assert.False(report.AllOk);
        Assert.Contains("AADSTS90002", report.TokenProblem, StringComparison.Ordinal);
        Assert.Contains("check the tenant id", report.TokenProblem, StringComparison.Ordinal);
        Assert.Empty(report.Verdicts);
    }

    [Fact]
    public async Task A_token_from_another_tenant_than_the_accounts_is_told_when_refused()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("authtid") + "@example.test";

        AuthTestReport report = await RunAsync(user, idp.Mint(user, c => { c["tid"] = "other-tenant"; c["scope"] = "none"; }), tenant: StandInIdentityProvider.Tenant);

        Assert.Contains(report.Verdicts[0].Fixes, f => f.Contains("from the tenant other-tenant, the account is in bed-tenant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_another_endpoint_cannot_get_refuses_that_endpoint_only_and_the_accounts_sign_in_still_runs()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("authother") + "@example.test";
        await SecretFile.WriteAsync(dir.Sub("token"), idp.Mint(user) + "\n");
        var account = new TokenCredential(TokenSourceFactory.Create(TokenSpec.FromFile(dir.Sub("token")), TimeProvider.System));
        var smtpCredential = new TokenCredential(TokenSourceFactory.Create(TokenSpec.FromFile(dir.Sub("no-such-token")), TimeProvider.System));
        AuthTarget[] targets =
        [
            AuthTarget.Of(bed.Imaps(user)) with { Use = "account" },
            AuthTarget.Of(new SmtpEndpoint("127.0.0.1", bed.SubmissionPort, TlsMode.StartTls, user, false)) with { Use = "probe.smtp", Credential = smtpCredential },
        ];

        AuthTestReport report = await new AuthTestRun(new AuthTestOptions(account, targets) { Trust = bed.Trust }, TimeProvider.System).RunAsync(CancellationToken.None);

        Assert.Null(report.TokenProblem);
        Assert.True(report.Verdicts[0].Ok, report.Verdicts[0].Problem);
        AuthVerdict smtp = report.Verdicts[1];
        Assert.Equal(("probe.smtp", "token", false), (smtp.Use, smtp.SignIn, smtp.Ok));
        Assert.StartsWith("no access token: ", smtp.Problem, StringComparison.Ordinal);
        Assert.Contains("no-such-token", smtp.Problem, StringComparison.Ordinal);
        Assert.False(report.AllOk);
    }

    private async Task<AuthTestReport> RunAsync(string user, string token, string? tenant = null)
    {
        await SecretFile.WriteAsync(dir.Sub("token"), token + "\n");
        var credential = new TokenCredential(TokenSourceFactory.Create(TokenSpec.FromFile(dir.Sub("token")), TimeProvider.System));
        AuthTarget[] targets =
        [
            AuthTarget.Of(bed.Imaps(user)),
            AuthTarget.Of(bed.Pop3s(user)),
            AuthTarget.Of(new SmtpEndpoint("127.0.0.1", bed.SubmissionPort, TlsMode.StartTls, user, false)),
        ];
        var options = new AuthTestOptions(credential, targets) { Trust = bed.Trust, Expected = new AuthExpectation(bed.OAuthAudience, tenant, [bed.OAuthScope], []) };
        return await new AuthTestRun(options, TimeProvider.System).RunAsync(CancellationToken.None);
    }
}
