namespace MailRecovery.Core.Auth;

/// <summary>A Google Workspace service account with domain-wide delegation, acting as one mailbox.</summary>
/// <param name="KeyFile">The service account's JSON key file (0600).</param>
/// <param name="User">The mailbox to act as (the JWT's <c>sub</c>): the helpdesk copy account's address.</param>
public sealed record GoogleServiceAccountOptions(string KeyFile, string User)
{
    /// <summary>The scope asked for.</summary>
    /// <value>The default is <c>https://mail.google.com/</c>, the only scope Gmail's IMAP, POP3 and SMTP accept.</value>
    public string Scope { get; init; } = "https://mail.google.com/";

    /// <summary>The token endpoint; null to use the key file's <c>token_uri</c>, or Google's.</summary>
    public Uri? TokenUri { get; init; }

    /// <summary>How long the signed assertion is valid (Google accepts at most one hour).</summary>
    public TimeSpan AssertionLifetime { get; init; } = TimeSpan.FromHours(1);
}
