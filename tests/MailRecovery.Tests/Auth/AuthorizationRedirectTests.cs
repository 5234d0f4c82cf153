using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;

namespace MailRecovery.Tests.Auth;

/// <summary>The redirected address as <c>auth login --paste</c> reads it (pure parsing), and the PKCE challenge (RFC 7636 appendix B).</summary>
public sealed class AuthorizationRedirectTests
{
    [Theory]
    [InlineData("http://127.0.0.1:41234/?state=abc&code=4%2F0AbC-d&scope=https%3A%2F%2Fmail.google.com%2F")]
    [InlineData("  http://127.0.0.1:41234/?state=abc&code=4/0AbC-d#  ")]
    [InlineData("?state=abc&code=4%2F0AbC-d")]
    [InlineData("state=abc&code=4%2F0AbC-d")]
    public void The_whole_address_or_its_query_gives_the_code_and_state(string pasted)
    {
        AuthorizationRedirect r = AuthorizationRedirect.FromPasted(pasted);

        Assert.Equal("4/0AbC-d", r.Code);
        Assert.Equal("abc", r.State);
        Assert.Null(r.Error);
        Assert.DoesNotContain("0AbC", r.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_redirect_is_read_with_its_description()
    {
        AuthorizationRedirect r = AuthorizationRedirect.FromPasted("http://127.0.0.1:1/?error=access_denied&error_description=The+user+said+no&state=s");

        Assert.Equal(("access_denied", "The user said no", "s"), (r.Error, r.ErrorDescription, r.State));
        Assert.Null(r.Code);
    }

    [Fact]
    public void Text_without_a_code_is_a_usage_error_that_does_not_echo_it()
    {
        const string Pasted = "4/0AbC-secret-looking-code";

        var e = Assert.Throws<MailRecoveryException>(() => AuthorizationRedirect.FromPasted(Pasted));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("address bar", e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(Pasted, e.UserText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_S256_challenge_is_the_one_of_RFC_7636_appendix_B()
    {
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.ChallengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        Pkce fresh = Pkce.Create();
        Assert.Equal(43, fresh.Verifier.Length);
        Assert.Equal(Pkce.ChallengeOf(fresh.Verifier), fresh.Challenge);
    }
}
