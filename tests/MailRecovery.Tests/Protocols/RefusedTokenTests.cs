using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

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

    [Fact]
    public async Task A_token_the_server_no_longer_takes_is_replaced_once_by_a_fresh_one_on_the_same_connection()
    {
        // The cached token has expired at the server (a session ended with BYE, then the pass reconnects with it):
        // the sign-in asks the source once more with forceRefresh and goes on, so the pass is not a failure.
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("tokrenew");
        string expired = idp.Mint($"{user}@example.test", c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
        var source = new StaleThenFresh(expired, idp.Mint($"{user}@example.test"));
        SourceEndpoint endpoint = SourceUri.Parse($"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX", insecure: false);
        using ImapClient client = MailServiceConnector.NewImapClient();

        await ImapSessions.OpenAsync(client, endpoint, new TokenCredential(source), bed.Trust, CancellationToken.None);

        Assert.True(client.IsAuthenticated);
        Assert.Equal([false, true], source.Asked);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_fresh_token_refused_too_is_the_failure_after_one_renewal()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("tokrenew");
        string other = idp.Mint($"someone-else-{user}@example.test");
        var source = new StaleThenFresh(other, other);
        SourceEndpoint endpoint = SourceUri.Parse($"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX", insecure: false);
        using ImapClient client = MailServiceConnector.NewImapClient();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => ImapSessions.OpenAsync(client, endpoint, new TokenCredential(source), bed.Trust, CancellationToken.None));

        AssertTokenRefusal(e);
        Assert.Equal([false, true], source.Asked); // renewed once, not in a loop
    }

    private static void AssertTokenRefusal(MailRecoveryException e)
    {
        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("refused the access token", e.Message, StringComparison.Ordinal);
        Assert.Contains("auth test", e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.UserText, StringComparison.Ordinal);
        Assert.Same(e, ErrorClassifier.Classify(e, "x")); // classified once, at the adapter
    }

    private sealed class StaleThenFresh(string stale, string fresh) : IAccessTokenSource
    {
        public List<bool> Asked { get; } = [];

        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            Asked.Add(forceRefresh);
            return ValueTask.FromResult(new AccessToken(forceRefresh ? fresh : stale, null));
        }
    }

    private sealed class FixedToken(string token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(new AccessToken(token, null));
    }
}
