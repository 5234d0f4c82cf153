using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Cli.Auth;

/// <summary>
/// <c>mailrecovery auth login ACCOUNT</c>: the one interactive step of a sign-in that then runs unattended. A
/// delegated Microsoft account gets a device code (RFC 8628): Microsoft's URL and code, then a wait for approval.
/// A Google installed-app account gets the authorization-code grant with PKCE and a loopback redirect (see
/// <see cref="GoogleLogin"/>). Either way the refresh token is saved (0600, atomically) in the account's
/// <c>oauth2.tokenStore</c>; from then on fetch and watch run unattended.
/// </summary>
internal static class AuthLogin
{
    public static Command Create(CliContext cli)
    {
        var account = new Argument<string>("ACCOUNT") { Description = "The account's name in the configuration file (its oauth2 section has tokenStore)." };
        var config = new Option<string>("--config", "-c") { Description = "The configuration file.", Required = true };
        var paste = new Option<bool>("--paste") { Description = "Google: also accept the address the browser ends at, pasted on standard input (for a server without a browser: open the URL on any computer, approve, copy the address of the page that fails to load)." };
        var port = new Option<int>("--port") { Description = "Google: the loopback port for the browser's redirect (default: a free one); fix it to forward it with ssh -L PORT:127.0.0.1:PORT." };
        var timeout = new Option<int>("--timeout") { Description = "Google: seconds to wait for the sign-in.", DefaultValueFactory = _ => 300 };
        var command = new Command("login", "Sign an account in once; the refresh token is stored 0600 in its oauth2.tokenStore. Microsoft delegated access: a device code to enter at Microsoft's page. Google (installed app, a personal Gmail account): a URL to open in a browser; the answer comes back to http://127.0.0.1:PORT/ or, with --paste, as the address pasted here. Exit 0 signed in, 2 refused (the fix is printed), 75 interrupted.");
        command.Arguments.Add(account);
        foreach (Option o in new Option[] { config, paste, port, timeout })
            command.Options.Add(o);
        command.SetAction((result, ct) => Verb.RunAsync(cli, false, async () =>
        {
            string path = result.GetValue(config)!;
            string name = result.GetValue(account)!;
            MailRecoveryConfig loaded = ConfigLoader.Load(path);
            AccountSpec spec = loaded.Accounts.FirstOrDefault(a => a.Name == name)
                ?? throw MailRecoveryException.Usage($"no account '{name}' in {path}.", $"use one of: {string.Join(", ", loaded.Accounts.Select(a => a.Name))}.");
            IAccessTokenSource? source = (spec.Credentials as TokenCredential)?.Source;
            if (source is RenewingTokenSource renewing)
                source = renewing.Inner;
            string next = $"mailrecovery auth test {name} -c {path}";
            switch (source)
            {
                case MicrosoftDelegatedSource delegated:
                    string user = await delegated.SignInAsync(async message =>
                    {
                        await cli.Out.WriteLineAsync(message);
                        await cli.Out.FlushAsync(ct);
                    }, ct);
                    await cli.Out.WriteLineAsync($"signed in as {user}; the refresh token is stored; fetch and watch now run unattended (check with: {next}).");
                    return ExitCodes.Ok;
                case GoogleRefreshTokenSource google:
                    var options = new GoogleLoginOptions(result.GetValue(paste), result.GetValue(port), result.GetValue(timeout));
                    return await GoogleLogin.RunAsync(cli, google, spec.Endpoint.User, options, next, ct);
                default:
                    throw MailRecoveryException.Usage($"account '{name}' does not sign in with a delegated Microsoft sign-in or a Google refresh token, so there is nothing to log in.",
                        "for a device code sign-in give the account \"oauth2\": {\"provider\": \"microsoft\", \"tenant\": …, \"clientId\": …, \"tokenStore\": \"/var/lib/mailrecovery/NAME.token\"}; for a personal Gmail account {\"provider\": \"google\", \"clientId\": …, \"clientSecretFile\": …, \"tokenStore\": …}; app-only access and service accounts need no login.");
            }
        }));
        return command;
    }
}
