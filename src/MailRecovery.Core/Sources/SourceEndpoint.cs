namespace MailRecovery.Core.Sources;

/// <summary>
/// Where and how to reach one source account. Built from a source URI or from the configuration file.
/// </summary>
/// <param name="Mailboxes">IMAP mailboxes to read; ignored for POP3, which has one. Default: INBOX.</param>
public sealed record SourceEndpoint(
    MailProtocol Protocol,
    string Host,
    int Port,
    TlsMode Tls,
    string User,
    IReadOnlyList<string> Mailboxes)
{
    /// <summary>A stable name for the account in the index and the logs: <c>imap://user@host:port</c>.</summary>
    public string AccountKey => $"{Capabilities.Scheme}://{User}@{Host}:{Port}";

    /// <summary>What the account's store can do; asked instead of <see cref="Protocol"/>.</summary>
    public Protocols.EndpointCapabilities Capabilities => Protocols.EndpointCapabilities.Of(Protocol);

    /// <summary>The account as the user wrote it, for messages (never contains a password).</summary>
    public override string ToString() => AccountKey;
}
