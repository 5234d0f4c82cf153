using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.EveryProvider;

/// <summary>The leak scans of the provider matrix can fail: a token's signature or a secret anywhere is found and named.</summary>
public sealed class SecretScanTests
{
    private const string Jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

    [Fact]
    public void A_token_signature_in_an_output_fails_naming_the_output()
    {
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SecretScan.AssertNone([Jwt], ("status --json", "x c2lnbmF0dXJlLW9mLXRoZS10b2tlbg y")));
        Assert.Contains("status --json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_in_a_file_fails_naming_the_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub("index.sqlite-wal"), "\0\0app~secret~0123456789\0");
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SecretScan.AssertNoneInDirectory(["app~secret~0123456789"], dir.Path));
        Assert.Contains("index.sqlite-wal", e.Message, StringComparison.Ordinal);
    }
}
