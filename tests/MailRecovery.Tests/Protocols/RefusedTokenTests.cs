using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Protocols;

/// <summary>
/// A token the real Dovecot refuses is one authentication failure with a token's fix, over IMAP and over MailKit's
/// POP3 client alike (MailKit 4.18 reports the POP3 refusal as a protocol error), and never shows the token.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class RefusedTokenTests(TestBedFixture bed)
{
    private const string Token = "not-a-jwt-ABCDEF0123456789";

    [Fact]
    public async Task A_refused_token_over_IMAP_is_an_authentication_failure_that_points_to_auth_test()
    {
        SourceEndpoint endpoint = SourceUri.Parse($"imaps://{TestBedFixture.NewUser("tokimap")}@127.0.0.1:{bed.ImapsPort}/INBOX", insecure: false);
        using ImapClient client = MailServiceConnector.NewImapClient();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => ImapSessions.OpenAsync(client, endpoint, new TokenCredential(new FixedToken(Token)), bed.Trust, CancellationToken.None));

        AssertTokenRefusal(e);
    }

    [Fact]
    public async Task A_refused_token_over_MailKits_POP3_client_is_an_authentication_failure_not_a_broken_connection()
    {
        SourceEndpoint endpoint = SourceUri.Parse($"pop3s://{TestBedFixture.NewUser("tokpop")}@127.0.0.1:{bed.Pop3sPort}", insecure: false);
        using Pop3Client client = MailServiceConnector.NewPop3Client();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => Pop3Sessions.OpenAsync(client, endpoint, new TokenCredential(new FixedToken(Token)), bed.Trust, endpoint.AccountKey, CancellationToken.None));

        AssertTokenRefusal(e);
    }

    private static void AssertTokenRefusal(MailRecoveryException e)
    {
        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("refused the access token", e.Message, StringComparison.Ordinal);
        Assert.Contains("auth test", e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.UserText, StringComparison.Ordinal);
        Assert.Same(e, ErrorClassifier.Classify(e, "x")); // classified once, at the adapter
    }

    private sealed class FixedToken(string token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(new AccessToken(token, null));
    }
}
