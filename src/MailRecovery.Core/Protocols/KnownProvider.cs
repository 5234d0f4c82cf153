namespace MailRecovery.Core.Protocols;

/// <summary>A mail provider whose connection limits are known (see <see cref="ProviderConnectionCaps"/>).</summary>
/// <param name="Name">The provider as logs name it, e.g. "Gmail (IMAP)".</param>
/// <param name="PerServer">The most connections (passes) MailRecovery opens at once to this host by default: the limit per server and IP.</param>
/// <param name="PerMailbox">The most connections the provider accepts at once for one mailbox (user); more are refused.</param>
/// <param name="Source">Where the numbers come from, for the log line and the documentation.</param>
public sealed record KnownProvider(string Name, int PerServer, int PerMailbox, string Source);
