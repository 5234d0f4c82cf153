namespace MailRecovery.Core.Sources;

/// <summary>How a connection is protected.</summary>
public enum TlsMode
{
    /// <summary>TLS from the first byte (imaps, pop3s, smtps).</summary>
    Implicit,

    /// <summary>Plain connect, then STARTTLS/STLS, which is required: a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>No encryption at all. Only with an explicit insecure flag.</summary>
    None,
}
