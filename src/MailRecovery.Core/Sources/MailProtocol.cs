namespace MailRecovery.Core.Sources;

/// <summary>The protocols a source account is read with.</summary>
public enum MailProtocol
{
    Pop3,
    Imap,
}
