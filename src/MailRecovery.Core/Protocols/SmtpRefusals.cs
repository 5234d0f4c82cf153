using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Protocols;

/// <summary>How one caller of <see cref="SmtpSessions"/> words a refused sign-in, in its own flags and keys.</summary>
/// <param name="Account">Names the server in an error about the credential.</param>
/// <param name="Cleartext">The server offers no TLS and the endpoint is not insecure: the password stays home.</param>
/// <param name="NoLogin">The server offers no AUTH; null to let the sign-in itself fail.</param>
public sealed record SmtpRefusals(string Account, Func<MailRecoveryException> Cleartext, Func<MailRecoveryException>? NoLogin = null);
