using MailRecovery.Cli.Common;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;

namespace MailRecovery.Cli.Auth;

/// <summary>
/// <c>auth login</c> for a Google installed-app account: prints the authorization URL and what to do with it, waits
/// for the browser's redirect at the loopback listener (or, with <c>--paste</c>, for the address pasted on standard
/// input), and says who signed in and what to run next. The URL carries no secret; the code, the client secret and
/// the tokens are never printed.
/// </summary>
internal static class GoogleLogin
{
    public static async Task<int> RunAsync(CliContext cli, GoogleRefreshTokenSource source, string? user, GoogleLoginOptions options, string next, CancellationToken cancellationToken)
    {
        if (options.TimeoutSeconds < 1)
            throw MailRecoveryException.Usage("--timeout must be at least 1 second.", "give the seconds to wait, e.g. --timeout 300.");
        if (options.Port is < 0 or > 65535)
            throw MailRecoveryException.Usage($"--port {options.Port} is not a port.", "give a port from 1024 to 65535, or leave --port out for a free one.");
        using GoogleSignIn signIn = source.BeginSignIn(user, options.Port);
        TextWriter o = cli.Out;
        await o.WriteLineAsync("Open this address in a browser and sign in to Google" + (string.IsNullOrEmpty(user) ? ":" : $" as {user}:"));
        await o.WriteLineAsync();
        await o.WriteLineAsync(signIn.AuthorizationUri.AbsoluteUri);
        await o.WriteLineAsync();
        await o.WriteLineAsync($"Google then sends the browser to {signIn.RedirectUri}, where this command is listening.");
        int port = signIn.RedirectUri.Port;
        if (options.Paste)
        {
            await o.WriteLineAsync("If the browser is on another computer, that page fails to load: copy the whole address from its");
            await o.WriteLineAsync("address bar (it starts with http://127.0.0.1) and paste it here, then press Enter:");
        }
        else
        {
            await o.WriteLineAsync($"Browser on another computer? Forward the port first (ssh -L {port}:127.0.0.1:{port} THIS-SERVER),");
            await o.WriteLineAsync("or run again with --paste to paste the address the browser ends at.");
        }

        await o.WriteLineAsync($"If Google says redirect_uri_mismatch, the OAuth client is not of type \"Desktop app\". Waiting up to {options.TimeoutSeconds} s.");
        await o.FlushAsync(cancellationToken);

        string code = await signIn.ReceiveCodeAsync(options.Paste ? cli.Input : null, TimeSpan.FromSeconds(options.TimeoutSeconds), cancellationToken);
        string signedIn = await signIn.CompleteAsync(code, cancellationToken);
        await o.WriteLineAsync($"signed in as {signedIn}; the refresh token is stored in {signIn.StoreFile} (0600); fetch and watch now run unattended.");
        await o.WriteLineAsync($"next: {next}");
        return ExitCodes.Ok;
    }
}
