using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRecovery.Core.Auth;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>
/// Registers a mailbox's sign-in with the stand-in identity provider for one <see cref="TokenProvider"/> and returns
/// the configuration keys an account (or the replay section) needs for it: <c>tokenFile</c>, <c>tokenCommand</c> or
/// an <c>oauth2</c> section. Every secret it writes (client secrets, private keys, minted tokens) is kept in
/// <see cref="Secrets"/>, beside the provider's own <see cref="StandInIdentityProvider.Issued"/>, for leak scans.
/// </summary>
public sealed partial class TokenProviderSetup(TestBedFixture bed, StandInIdentityProvider idp, string dir)
{
    public static TheoryData<TokenProvider> All => [.. Enum.GetValues<TokenProvider>()];

    public ConcurrentQueue<string> Secrets { get; } = new();

    /// <summary>All secrets that must never show: those written here and every token the provider issued.</summary>
    public IEnumerable<string> AllSecrets => Secrets.Concat(idp.Issued);

    /// <summary>
    /// The keys for <paramref name="email"/> signing in by <paramref name="provider"/>; <paramref name="prefix"/>
    /// "" or "checkIn". The file-based token flags' paths are in <see cref="TokenFileOf"/>.
    /// </summary>
    public async Task<JsonObject> KeysAsync(TokenProvider provider, string email, string prefix = "")
    {
        string Key(string name) => prefix.Length == 0 ? name : prefix + char.ToUpperInvariant(name[0]) + name[1..];
        string id = Guid.NewGuid().ToString("N");
        switch (provider)
        {
            case TokenProvider.TokenFile:
                return new JsonObject { [Key("tokenFile")] = await TokenFileAsync(email) };
            case TokenProvider.TokenCommand:
                return new JsonObject { [Key("tokenCommand")] = "cat " + await TokenFileAsync(email) };
            case TokenProvider.MicrosoftAppSecret:
            {
                string secret = "app~secret~" + id;
                idp.Clients[id] = new IdpClient(id) { Secret = secret, Permissions = [bed.OAuthScope], Mailbox = email };
                return Microsoft(Key, id, new JsonObject { ["clientSecretFile"] = await SecretAsync(id + ".secret", secret) });
            }

            case TokenProvider.MicrosoftAppCertificate:
            {
                using RSA key = RSA.Create(2048);
                var request = new CertificateRequest("CN=mailrecovery-test-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
                idp.Clients[id] = new IdpClient(id) { AssertionKey = certificate.GetRSAPublicKey(), Permissions = [bed.OAuthScope], Mailbox = email };
                string pem = key.ExportPkcs8PrivateKeyPem();
                Secrets.Enqueue(PemBody(pem));
                return Microsoft(Key, id, new JsonObject { ["certificateFile"] = await SecretAsync(id + ".pem", certificate.ExportCertificatePem() + "\n" + pem + "\n", register: false) });
            }

            case TokenProvider.MicrosoftDelegated:
            {
                idp.Clients[id] = new IdpClient(id);
                string store = Path.Combine(dir, id + ".msal.json");
                string[] scopes = [$"{bed.OAuthAudience}/{bed.OAuthScope}", "offline_access"];
                var options = new MicrosoftDelegatedOptions(StandInIdentityProvider.Tenant, id, store) { AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false, Scopes = scopes };
                using HttpClient http = BedHttp.Client(bed);
                await new MicrosoftDelegatedSource(options, TimeProvider.System, new CollectingLogger(), http).SignInAsync(
                    message =>
                    {
                        idp.Approve(UserCode().Match(message).Groups[1].Value, email);
                        return Task.CompletedTask;
                    }, default);
                JsonObject o = Microsoft(Key, id, new JsonObject { ["tokenStore"] = store });
                o[Key("oauth2")]!["scope"] = string.Join(' ', scopes);
                return o;
            }

            case TokenProvider.GoogleServiceAccount:
            {
                using RSA key = RSA.Create(2048);
                string clientEmail = $"sa-{id}@project.iam.gserviceaccount.com";
                idp.Clients[clientEmail] = new IdpClient(clientEmail) { AssertionKey = RSA.Create(key.ExportParameters(false)), DelegatedScopes = [bed.OAuthScope] };
                string pem = key.ExportPkcs8PrivateKeyPem();
                Secrets.Enqueue(PemBody(pem));
                var json = new JsonObject
                {
                    ["type"] = "service_account", ["project_id"] = "project", ["private_key_id"] = id, ["private_key"] = pem + "\n",
                    ["client_email"] = clientEmail, ["client_id"] = "1234567890", ["token_uri"] = idp.TokenUri.AbsoluteUri,
                };
                string file = await SecretAsync(id + ".json", json.ToJsonString(), register: false);
                return Google(Key, new JsonObject { ["serviceAccountKeyFile"] = file, ["user"] = email, ["scope"] = bed.OAuthScope });
            }

            case TokenProvider.GoogleRefreshToken:
            {
                string clientId = id + ".apps.googleusercontent.com";
                string secret = "GOCSPX-" + id;
                idp.Clients[clientId] = new IdpClient(clientId) { Secret = secret };
                string refreshToken = idp.IssueRefreshToken(clientId, email, $"{bed.OAuthAudience}/{bed.OAuthScope}");
                string store = Path.Combine(dir, id + ".google.store");
                await new RefreshTokenStore(store).SaveAsync(new StoredGrant(refreshToken, DateTimeOffset.UtcNow), default);
                return Google(Key, new JsonObject { ["clientId"] = clientId, ["clientSecretFile"] = await SecretAsync(id + ".secret", secret), ["tokenStore"] = store });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }

    /// <summary>A 0600 file holding a token for <paramref name="email"/> minted by the provider (for --token-file flags too).</summary>
    public async Task<string> TokenFileAsync(string email)
    {
        string file = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".token");
        await SecretFile.WriteAsync(file, idp.Mint(email) + "\n");
        return file;
    }

    private JsonObject Microsoft(Func<string, string> key, string clientId, JsonObject how)
    {
        how["provider"] = "microsoft";
        how["tenant"] = StandInIdentityProvider.Tenant;
        how["clientId"] = clientId;
        how["authority"] = idp.AuthorityHost.AbsoluteUri;
        how["scope"] = bed.OAuthAudience + "/.default";
        return new JsonObject { [key("oauth2")] = how };
    }

    private JsonObject Google(Func<string, string> key, JsonObject how)
    {
        how["provider"] = "google";
        how["authority"] = idp.TokenUri.AbsoluteUri;
        return new JsonObject { [key("oauth2")] = how };
    }

    private async Task<string> SecretAsync(string name, string content, bool register = true)
    {
        if (register)
            Secrets.Enqueue(content);
        string file = Path.Combine(dir, name);
        await SecretFile.WriteAsync(file, content + "\n");
        return file;
    }

    /// <summary>A line from the middle of a PEM's base64: unique to the key, and what a leak would show.</summary>
    private static string PemBody(string pem) => pem.Split('\n', StringSplitOptions.RemoveEmptyEntries)[3];

    [GeneratedRegex("enter the code ([A-Z]+) ")]
    private static partial Regex UserCode();
}
