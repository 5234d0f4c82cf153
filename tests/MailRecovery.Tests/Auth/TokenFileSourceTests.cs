using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;
using static MailRecovery.Tests.TestBed.OAuth.OAuthSignIn;

namespace MailRecovery.Tests.Auth;

[Collection(TestBedCollection.Name)]
public sealed class TokenFileSourceTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_file_is_read_again_on_every_call_and_its_token_signs_in()
    {
        string email = TestBedFixture.NewUser("tf") + "@example.test";
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string file = dir.Sub("token");
        var source = new TokenFileSource(file);
        await SecretFile.WriteAsync(file, "old-token\n");
        Assert.Equal("old-token", (await source.GetAsync(false, default)).Value);

        string fresh = idp.Mint(email);
        await SecretFile.WriteAsync(file, fresh + "\n");
        AccessToken token = await source.GetAsync(false, default);

        Assert.Equal(fresh, token.Value);
        Assert.NotNull(token.ExpiresOn); // read from the JWT's exp
        await SignInAsync(bed, Protocol.Imap, "XOAUTH2", email, token.Value);
    }

    [Fact]
    public async Task A_token_file_others_can_read_is_refused()
    {
        string file = dir.Sub("token");
        await File.WriteAllTextAsync(file, "some-token\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => new TokenFileSource(file).GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal($"chmod 600 {file}", e.Fix);
        Assert.DoesNotContain("some-token", e.UserText);
    }

    [Fact]
    public void An_opaque_token_has_no_expiry_and_never_shows_in_ToString()
    {
        var token = new AccessToken("ya29.opaque-secret", JwtClaims.ExpiryOf("ya29.opaque-secret"));

        Assert.Null(token.ExpiresOn);
        Assert.DoesNotContain("opaque-secret", token.ToString());
        Assert.DoesNotContain("secret-value", new StoredGrant("secret-value", DateTimeOffset.UnixEpoch).ToString());
    }
}
