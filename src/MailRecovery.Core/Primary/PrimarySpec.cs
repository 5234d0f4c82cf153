using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Primary;

/// <summary>
/// The helpdesk's own (primary) account that <c>watch</c> observes, read-only, beside a copy account
/// (<c>--primary URI</c>, or an account's <c>primary</c> entry in the configuration).
/// </summary>
public sealed record PrimarySpec(SourceEndpoint Endpoint, Protocols.Credential Credentials, CertificateTrust Trust)
{
    private string Mailbox => Endpoint.Mailboxes.Count > 0 ? Endpoint.Mailboxes[0] : "INBOX";

    /// <summary>The ledger's name for it: <c>pop3://user@host:port</c> or <c>imap://user@host:port/Mailbox</c>.</summary>
    public string Key => Endpoint.Capabilities.HasMailboxes ? $"{Endpoint.AccountKey}/{Mailbox}" : Endpoint.AccountKey;
}
