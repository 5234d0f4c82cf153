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
    public string AccountKey => $"{(Protocol == MailProtocol.Imap ? "imap" : "pop3")}://{User}@{Host}:{Port}";

    /// <summary>The account as the user wrote it, for messages (never contains a password).</summary>
    public override string ToString() => AccountKey;
}
