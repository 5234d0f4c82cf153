namespace MailRecovery.Core.Sources;

/// <summary>Creates the source adapter for an endpoint: the one place that knows both protocols.</summary>
public static class MessageSourceFactory
{
    public static IMessageSource Create(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust) =>
        endpoint.Protocol switch
        {
            MailProtocol.Imap => new ImapSource(endpoint, credentials, trust),
            _ => new Pop3Source(endpoint, credentials, trust),
        };
}
