using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Configuration.Check;

/// <summary>
/// One endpoint named in the configuration, with the keys its fix texts name: a mailbox account (an account, its
/// primary, the probe's primary) or the probe's SMTP server (<see cref="Smtp"/> set, <see cref="Source"/> null).
/// </summary>
/// <param name="Key">The endpoint's place in the file, e.g. <c>accounts[0].primary</c>.</param>
/// <param name="PasswordKey">The key that holds its password file or variable, e.g. <c>accounts[0].passwordFile</c>.</param>
/// <param name="CaKey">The key that would hold its CA file.</param>
internal sealed record CheckTarget(
    string Key,
    string PasswordKey,
    string CaKey,
    SourceEndpoint? Source,
    Probe.SmtpEndpoint? Smtp,
    Protocols.Credential Credentials,
    CertificateTrust Trust)
{
    public string Display => Source?.AccountKey ?? Smtp!.ToString();

    /// <summary>Whether a password is needed at all (an SMTP server without a user takes the probe unauthenticated).</summary>
    public bool NeedsPassword => Source is not null || Smtp?.User is not null;
}
