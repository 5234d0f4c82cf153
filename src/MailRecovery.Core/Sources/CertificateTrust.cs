using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Trusts the system store and, in addition, the certificates of a PEM file (a private CA, or a server's
/// self-signed certificate). The host name is always checked.
/// </summary>
public sealed class CertificateTrust
{
    private readonly X509Certificate2Collection extraRoots;

    private CertificateTrust(X509Certificate2Collection extraRoots) => this.extraRoots = extraRoots;

    /// <summary>Trust only the system store.</summary>
    public static CertificateTrust System { get; } = new([]);

    /// <summary>Loads the PEM file; null means the system store only.</summary>
    public static CertificateTrust FromFile(string? caFile)
    {
        if (caFile is null)
            return System;
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            if (roots.Count == 0)
                throw MailRecoveryException.Usage($"the CA file {caFile} holds no certificate.", "give a PEM file with -----BEGIN CERTIFICATE----- blocks.");
            return new CertificateTrust(roots);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or global::System.Security.Cryptography.CryptographicException)
        {
            throw MailRecoveryException.Usage($"cannot read the CA file {caFile} ({e.Message}).", "give a readable PEM file with the server's certificate or its CA.");
        }
    }

    /// <summary>The validation callback for MailKit clients.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (certificate is null || extraRoots.Count == 0 || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;

        using var leaf = new X509Certificate2(certificate);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        return custom.Build(leaf);
    }
}
