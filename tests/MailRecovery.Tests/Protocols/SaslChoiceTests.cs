using MailRecovery.Core.Protocols;

namespace MailRecovery.Tests.Protocols;

public sealed class SaslChoiceTests
{
    [Theory]
    [InlineData(new[] { "PLAIN", "XOAUTH2", "OAUTHBEARER" }, "XOAUTH2")]
    [InlineData(new[] { "OAUTHBEARER", "PLAIN" }, "OAUTHBEARER")]
    [InlineData(new[] { "xoauth2" }, "XOAUTH2")]
    [InlineData(new[] { "PLAIN", "LOGIN", "SCRAM-SHA-256" }, null)]
    [InlineData(new string[0], null)]
    public void A_token_takes_XOAUTH2_when_offered_else_OAUTHBEARER_else_nothing(string[] offered, string? expected)
    {
        Assert.Equal(expected, SaslChoice.ForToken(offered));
    }

    [Theory]
    [InlineData(new[] { "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2" }, "SCRAM-SHA-256")]
    [InlineData(new[] { "LOGIN", "PLAIN" }, "PLAIN")]
    [InlineData(new[] { "XOAUTH2", "OAUTHBEARER" }, null)]
    [InlineData(new string[0], null)]
    public void A_password_takes_the_best_password_mechanism_and_never_a_token_one(string[] offered, string? expected)
    {
        Assert.Equal(expected, SaslChoice.ForPassword(offered));
    }

    [Fact]
    public void An_access_token_never_prints_itself()
    {
        var token = new AccessToken("eyJ0eXAiOiJKV1Qi.secret-part", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("secret-part", token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-part", new TokenCredential(new FixedToken(token)).ToString(), StringComparison.Ordinal);
    }

    private sealed class FixedToken(AccessToken token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
