namespace MailRecovery.Core.Protocols;

/// <summary>
/// What an account signs in with, whatever the protocol: a password (<see cref="Sources.SourceCredentials"/>,
/// read from a file or an environment variable) or an access token (<see cref="TokenCredential"/>). The sessions
/// of this folder take any credential; <see cref="SignIn"/> picks the SASL mechanism from its kind and from what
/// the server offers, so a new kind of sign-in is added here and nowhere else.
/// </summary>
public abstract record Credential;
