using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Auth.Check;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Auth;

/// <summary>
/// <c>mailrecovery auth test ACCOUNT|--source URI</c>: gets a token, shows what it claims (never the token), signs in
/// over each protocol and says per protocol what works and, when not, the fix. For ACCOUNT, every endpoint the
/// configuration gives it is tried with its own credential: the account, its primary, the probe's SMTP and primary
/// (when the probe watches this account), the replay check-in mailbox and the alert mail's SMTP.
/// </summary>
internal static class AuthCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("auth", "Check OAuth2 sign-ins (Microsoft 365, Google Workspace, token files and commands).");
        command.Subcommands.Add(Test(cli));
        command.Subcommands.Add(AuthLogin.Create(cli));
        return command;
    }

    private static Command Test(CliContext cli)
    {
        var account = new Argument<string?>("ACCOUNT") { Description = "The account's name in the configuration file.", Arity = ArgumentArity.ZeroOrOne };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file holding ACCOUNT." };
        var source = new Option<string?>("--source") { Description = "The account as a URI instead (imap[s]://user@host[:port] or pop3[s]://…)." };
        var passwordFile = new Option<string?>("--password-file") { Description = "File whose first line is the password of --source." };
        var tokens = new TokenOptions(string.Empty, "--source");
        var smtp = new Option<string?>("--smtp") { Description = "Also sign in to this SMTP submission server (smtp[s]://user@host[:port]) with the same credential." };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM certificate(s) to trust in addition to the system store." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow ?tls=none." };
        var audience = new Option<string?>("--audience") { Description = "The token audience the server accepts (known for Exchange Online and Gmail; give it for other servers, e.g. Dovecot's oauth2 'audience')." };
        var scope = new Option<string?>("--scope") { Description = "The scope the server requires (known for Exchange Online and Gmail)." };
        var tenant = new Option<string?>("--tenant") { Description = "The Microsoft tenant id the mailbox belongs to, to tell a token from another tenant." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("test", "Get a token, show its claims (never the token), and sign in over each protocol; says the fix for each refusal. Exit 0 all ok, 2 a token or sign-in refused (the fix is printed), 75 a server unreachable.");
        command.Arguments.Add(account);
        foreach (Option o in new Option[] { config, source, passwordFile, smtp, caFile, insecure, audience, scope, tenant, json })
            command.Options.Add(o);
        tokens.AddTo(command);

        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using Microsoft.Extensions.Logging.ILoggerFactory logs = CliLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning, timestamps: false);
            (Credential credential, List<AuthTarget> targets, CertificateTrust trust) = Resolve(result, account, config, source, passwordFile, tokens, caFile, insecure, logs.CreateLogger("auth"));
            if (result.GetValue(smtp) is { } smtpUri)
                targets.Add(AuthTarget.Of(SmtpEndpoint.Parse(smtpUri, result.GetValue(insecure))) with { Use = "smtp" });
            string? wantedScope = result.GetValue(scope);
            var options = new AuthTestOptions(credential, targets)
            {
                Trust = trust,
                Expected = new AuthExpectation(result.GetValue(audience), result.GetValue(tenant), wantedScope is null ? [] : [wantedScope], []),
            };
            AuthTestReport report = await new AuthTestRun(options, cli.Clock).RunAsync(ct);
            int code = ExitCode(report);
            if (result.GetValue(json))
                cli.Out.WriteLine(JsonOutput.Serialize(ToJson(report, code)));
            else
                Write(cli.Out, report, code);
            return code;
        }));
        return command;
    }

    private static (Credential, List<AuthTarget>, CertificateTrust) Resolve(ParseResult result, Argument<string?> account, Option<string?> config, Option<string?> source,
        Option<string?> passwordFile, TokenOptions tokens, Option<string?> caFile, Option<bool> insecure, Microsoft.Extensions.Logging.ILogger logger)
    {
        string? name = result.GetValue(account);
        string? uri = result.GetValue(source);
        if ((name is null) == (uri is null))
            throw MailRecoveryException.Usage("auth test needs an ACCOUNT (with --config) or --source URI, not both.", "mailrecovery auth test helpdesk -c /etc/mailrecovery/config.json, or auth test --source imaps://user@host --token-file FILE.");
        if (uri is not null)
        {
            SourceEndpoint endpoint = SourceUri.Parse(uri, result.GetValue(insecure));
            Credential credential = tokens.Resolve(result, result.GetValue(passwordFile), "MAILRECOVERY_PASSWORD");
            return (credential, [AuthTarget.Of(endpoint)], CertificateTrust.FromFile(result.GetValue(caFile)));
        }

        string path = result.GetValue(config) ?? throw MailRecoveryException.Usage("ACCOUNT needs --config.", "add -c /etc/mailrecovery/config.json.");
        MailRecoveryConfig loaded = ConfigLoader.Load(path, logger);
        AccountSpec spec = loaded.Accounts.FirstOrDefault(a => a.Name == name)
            ?? throw MailRecoveryException.Usage($"no account '{name}' in {path}.", $"use one of: {string.Join(", ", loaded.Accounts.Select(a => a.Name))}.");
        return (spec.Credentials, ConfiguredTargets(loaded, spec), spec.Trust);
    }

    /// <summary>
    /// Every endpoint the configuration signs in to on <paramref name="spec"/>'s behalf, each with its own credential:
    /// the account, its primary, the probe's SMTP and primary when the probe's copy account is this one, the replay
    /// check-in mailbox and the alert mail's SMTP (those two serve the whole archive). The replay target itself is
    /// named only by <c>replay --to</c>, so it is not here.
    /// </summary>
    private static List<AuthTarget> ConfiguredTargets(MailRecoveryConfig loaded, AccountSpec spec)
    {
        var targets = new List<AuthTarget> { AuthTarget.Of(spec.Endpoint) with { Use = "account" } };
        if (spec.Primary is { } primary)
            targets.Add(AuthTarget.Of(primary.Endpoint) with { Use = "primary", Credential = primary.Credentials, Trust = primary.Trust });
        if (loaded.Probe?.Options is { } probe && ReferenceEquals(probe.Copy, spec.Endpoint))
        {
            targets.Add(AuthTarget.Of(probe.Smtp) with { Use = "probe.smtp", Credential = probe.SmtpCredentials, Trust = probe.Trust });
            if (probe.Primary is { } probePrimary)
                targets.Add(AuthTarget.Of(probePrimary) with { Use = "probe.primary", Credential = probe.PrimaryCredentials ?? SourceCredentials.None, Trust = probe.PrimaryTrust ?? probe.Trust });
        }

        if (loaded.Replay is { CheckIn: { } checkIn } replay)
        {
            targets.Add(AuthTarget.Of(SourceUri.Parse(checkIn, replay.Insecure)) with
            {
                Use = "replay.checkIn",
                Credential = replay.CheckInCredential ?? new SourceCredentials(replay.CheckInPasswordFile, replay.CheckInPasswordEnvironmentVariable),
                Trust = CertificateTrust.FromFile(replay.CaFile),
            });
        }

        if (loaded.Alerts is { Mail: { } mail } alerts)
            targets.Add(AuthTarget.Of(mail.Smtp) with { Use = "alerts.mail", Credential = mail.Credentials, Trust = alerts.Trust });
        return targets;
    }

    /// <summary>0 all ok; 75 when only unreachable servers failed; 2 for a refused token or sign-in (configuration to fix).</summary>
    private static int ExitCode(AuthTestReport report) =>
        report.AllOk ? ExitCodes.Ok
        : report.TokenProblem is null && report.Verdicts.Where(v => !v.Ok).All(v => v.Problem?.Contains("cannot connect", StringComparison.Ordinal) == true || v.Problem?.Contains("did not answer in time", StringComparison.Ordinal) == true)
            ? ExitCodes.TemporaryFailure
            : ExitCodes.Usage;

    private static AuthTestJson ToJson(AuthTestReport r, int code) => new(r.AllOk, code,
        r.Claims is { } c ? Claims(c) : null,
        r.TokenProblem,
        [.. r.Verdicts.Select(v => new AuthTestJson.SignInJson(v.Protocol, v.Endpoint, v.Ok, v.Problem, v.Fixes, v.Use, v.SignIn, v.Claims is { } c ? Claims(c) : null))]);

    private static AuthTestJson.ClaimsJson Claims(TokenClaims c) => new(c.IsJwt, c.Audience, c.Scopes, c.Roles, c.Tenant, c.User, c.ClientId, c.ExpiresOn);

    private static void Write(TextWriter o, AuthTestReport r, int code)
    {
        if (r.TokenProblem is not null)
        {
            o.WriteLine($"token: NOT OBTAINED: {r.TokenProblem}");
        }
        else if (r.Claims is { IsJwt: false })
        {
            o.WriteLine("token: obtained; not a JWT (opaque: Microsoft personal accounts, Google), so its claims cannot be shown.");
        }
        else if (r.Claims is { } c)
        {
            o.WriteLine("token: obtained (not shown); it claims:");
            o.WriteLine($"  audience  {string.Join(", ", c.Audience.DefaultIfEmpty("(none)"))}");
            if (c.Roles.Count > 0)
                o.WriteLine($"  roles     {string.Join(" ", c.Roles)} (app-only)");
            o.WriteLine($"  scopes    {string.Join(" ", c.Scopes.DefaultIfEmpty("(none)"))}");
            o.WriteLine($"  tenant    {c.Tenant ?? "(none)"}");
            o.WriteLine($"  user      {c.User ?? "(none)"}");
            o.WriteLine($"  expires   {(c.ExpiresOn is { } e ? e.ToString("u", CultureInfo.InvariantCulture) : "(not said)")}");
        }

        int width = r.Verdicts.Select(v => v.Use.Length).DefaultIfEmpty(0).Max();
        foreach (AuthVerdict v in r.Verdicts)
        {
            o.WriteLine($"{v.Use.PadRight(width)}  {v.Protocol,-5} {v.Endpoint} ({v.SignIn}): {(v.Ok ? "ok" : "REFUSED: " + v.Problem)}");
            // A token other than the account's (the probe's SMTP one, say): its claims in one line, never the token.
            if (v.Claims is { IsJwt: true } other && !ReferenceEquals(other, r.Claims))
                o.WriteLine($"      its token: audience {string.Join(", ", other.Audience.DefaultIfEmpty("(none)"))}; scopes {string.Join(" ", other.Scopes.Concat(other.Roles).DefaultIfEmpty("(none)"))}; user {other.User ?? "(none)"}");
            foreach (string fix in v.Fixes)
                o.WriteLine($"      fix: {fix}");
        }

        o.WriteLine(code == 0 ? "result: all ok." : $"result: not all ok (exit {code}).");
    }
}
