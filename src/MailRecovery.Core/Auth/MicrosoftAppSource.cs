using System.Security.Cryptography.X509Certificates;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using Microsoft.Identity.Client;

namespace MailRecovery.Core.Auth;

/// <summary>
/// App-only access tokens from the Microsoft identity platform through MSAL (client credentials, RFC 6749
/// section 4.4): with a client secret read from a 0600 file, or a certificate (MSAL then signs a client assertion,
/// RFC 7523). MSAL keeps the token in memory and renews it 5 minutes before it expires; nothing is stored on disk.
/// </summary>
public sealed class MicrosoftAppSource(MicrosoftAppOptions options, HttpClient? http = null) : IAccessTokenSource
{
    private IConfidentialClientApplication? app;

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        app ??= await BuildAsync(cancellationToken);
        try
        {
            AuthenticationResult result = await app.AcquireTokenForClient(options.Scopes)
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken);
            return new AccessToken(result.AccessToken, result.ExpiresOn);
        }
        catch (MsalException e)
        {
            throw MicrosoftErrors.Classify(e);
        }
    }

    private async ValueTask<IConfidentialClientApplication> BuildAsync(CancellationToken cancellationToken)
    {
        ConfidentialClientApplicationBuilder builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority(new Uri(options.AuthorityHost, options.TenantId).AbsoluteUri)
            .WithInstanceDiscovery(options.InstanceDiscovery);
        if (http is not null)
            builder = builder.WithHttpClientFactory(new MsalHttpClientFactory(http));

        if (options.ClientSecretFile is { } secretFile && options.CertificateFile is null)
        {
            string secret = await SecretFileReader.ReadFirstLineAsync(secretFile, "client secret file", cancellationToken);
            builder = builder.WithClientSecret(secret);
        }
        else if (options.CertificateFile is { } certificateFile && options.ClientSecretFile is null)
        {
            string pem = await SecretFileReader.ReadAllAsync(certificateFile, "certificate file", cancellationToken);
            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPem(pem, pem);
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                throw MailRecoveryException.Usage($"Microsoft: {certificateFile} does not hold a certificate and its private key in PEM.",
                    "put both in one file: cat cert.pem key.pem > FILE; chmod 600 FILE.");
            }

            builder = builder.WithCertificate(certificate);
        }
        else
        {
            throw MailRecoveryException.Usage($"Microsoft app {options.ClientId}: give either a client secret file or a certificate file.", "set exactly one of the two.");
        }

        return builder.Build();
    }
}
