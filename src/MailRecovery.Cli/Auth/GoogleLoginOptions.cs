namespace MailRecovery.Cli.Auth;

/// <summary>What <c>auth login</c>'s options say about a Google sign-in.</summary>
/// <param name="Paste">Also read the redirected address from standard input.</param>
/// <param name="Port">The loopback port; 0 for a free one.</param>
/// <param name="TimeoutSeconds">How long to wait for the redirect.</param>
internal sealed record GoogleLoginOptions(bool Paste, int Port, int TimeoutSeconds);
