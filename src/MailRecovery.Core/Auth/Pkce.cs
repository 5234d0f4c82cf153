using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Proof Key for Code Exchange (RFC 7636): a random verifier kept in memory, and its S256 challenge sent with the
/// authorization request. Only the process that holds the verifier can redeem the code, so a code seen by another
/// program on the machine (the loopback redirect is plain HTTP) or pasted in the wrong place is useless to it.
/// </summary>
internal sealed record Pkce(string Verifier, string Challenge)
{
    /// <summary>"S256", the only method Google recommends (RFC 7636 section 4.2).</summary>
    public const string Method = "S256";

    /// <summary>A new verifier: 32 random bytes, base64url, 43 characters (section 4.1 asks for 43 to 128).</summary>
    public static Pkce Create()
    {
        string verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, ChallengeOf(verifier));
    }

    /// <summary>BASE64URL(SHA256(ASCII(verifier))), section 4.2.</summary>
    public static string ChallengeOf(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Never the verifier.</summary>
    public override string ToString() => "PKCE verifier";
}
