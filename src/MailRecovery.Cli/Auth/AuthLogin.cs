using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Cli.Auth;

/// <summary>
/// <c>mailrecovery auth login ACCOUNT</c>: the one interactive step of a delegated Microsoft sign-in (device code,
/// RFC 8628). It prints Microsoft's URL and code, waits until the user has approved, and the refresh token is saved
/// (0600, atomically) in the account's <c>oauth2.tokenStore</c>; from then on fetch and watch run unattended.
/// </summary>
internal static class AuthLogin
{
    public static Command Create(CliContext cli)
    {
        var account = new Argument<string>("ACCOUNT") { Description = "The account's name in the configuration file (its oauth2 section has tokenStore)." };
        var config = new Option<string>("--config", "-c") { Description = "The configuration file.", Required = true };
        var command = new Command("login", "Sign an account in once with a device code (Microsoft delegated access); the refresh token is stored 0600 in its oauth2.tokenStore.");
        command.Arguments.Add(account);
        command.Options.Add(config);
        command.SetAction((result, ct) => Verb.RunAsync(cli, false, async () =>
        {
            string path = result.GetValue(config)!;
            string name = result.GetValue(account)!;
            MailRecoveryConfig loaded = ConfigLoader.Load(path);
            AccountSpec spec = loaded.Accounts.FirstOrDefault(a => a.Name == name)
                ?? throw MailRecoveryException.Usage($"no account '{name}' in {path}.", $"use one of: {string.Join(", ", loaded.Accounts.Select(a => a.Name))}.");
            IAccessTokenSource? source = (spec.Credentials as TokenCredential)?.Source;
            if ((source as RenewingTokenSource)?.Inner is MicrosoftDelegatedSource renewed)
                source = renewed;
            if (source is not MicrosoftDelegatedSource delegated)
            {
                throw MailRecoveryException.Usage($"account '{name}' does not sign in with a delegated Microsoft sign-in, so there is nothing to log in.",
                    "for a device code sign-in give the account \"oauth2\": {\"provider\": \"microsoft\", \"tenant\": …, \"clientId\": …, \"tokenStore\": \"/var/lib/mailrecovery/NAME.token\"}; app-only access needs no login.");
            }

            string user = await delegated.SignInAsync(async message =>
            {
                await cli.Out.WriteLineAsync(message);
                await cli.Out.FlushAsync(ct);
            }, ct);
            await cli.Out.WriteLineAsync($"signed in as {user}; the refresh token is stored; fetch and watch now run unattended (check with: mailrecovery auth test {name} -c {path}).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
