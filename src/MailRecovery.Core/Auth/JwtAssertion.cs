using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MailRecovery.Core.Auth;

/// <summary>
/// A JWT signed RS256 (RFC 7515, RFC 7518 section 3.3) for the JWT-bearer grant (RFC 7523): what Google's library
/// sends for a service account, built with the BCL's RSA so no reflection-based JSON is needed (Native AOT).
/// </summary>
internal static class JwtAssertion
{
    /// <summary>header.payload.signature, base64url without padding.</summary>
    public static string Sign(RSA key, string? keyId, Action<Utf8JsonWriter> writeClaims)
    {
        string header = Encode(w =>
        {
            w.WriteString("alg", "RS256");
            w.WriteString("typ", "JWT");
            if (keyId is not null)
                w.WriteString("kid", keyId);
        });
        string signingInput = header + "." + Encode(writeClaims);
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static string Encode(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }
}
