using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Configuration.Check;

/// <summary>
/// <c>config check</c>: every password source of a loaded configuration is opened and checked (mode, first line)
/// now, not at the first login in the night; with <c>online</c>, every endpoint is connected and logged in to and
/// each configured IMAP mailbox opened read-only (EXAMINE, RFC 9051 §6.3.3: no flag, not even \Recent, changes),
/// the probe's SMTP server gets EHLO and AUTH but no MAIL FROM. Nothing is written anywhere.
/// </summary>
public sealed class ConfigCheckRun(MailRecoveryConfig config, bool online)
{
    public async Task<IReadOnlyList<EndpointVerdict>> RunAsync(CancellationToken cancellationToken)
    {
        var rows = new List<EndpointVerdict>();
        foreach (CheckTarget target in Targets())
            rows.AddRange(await CheckAsync(target, cancellationToken));

        // The replay target is given with --to at replay time; only its password source lives here.
        ReplayTargetSettings? replay = config.Replay;
        if (replay is not null && (replay.PasswordFile is not null || replay.PasswordEnvironmentVariable is not null))
        {
            var credentials = new SourceCredentials(replay.PasswordFile, replay.PasswordEnvironmentVariable);
            rows.Add(PasswordRow("replay", "replay target (named by replay --to)", replay.PasswordFile is null ? "replay.passwordEnv" : "replay.passwordFile", credentials)
                ?? new EndpointVerdict("replay", "replay target (named by replay --to)", "password source readable"));
        }

        return rows;
    }

    private List<CheckTarget> Targets()
    {
        var targets = new List<CheckTarget>();
        for (int i = 0; i < config.Accounts.Count; i++)
        {
            Fetch.AccountSpec a = config.Accounts[i];
            string key = $"accounts[{i}]";
            targets.Add(new(key, PasswordKey(key, a.Credentials, "passwordFile", "passwordEnv"), key + ".caFile", a.Endpoint, null, a.Credentials, a.Trust));
            if (a.Primary is { } p)
                targets.Add(new(key + ".primary", PasswordKey(key + ".primary", p.Credentials, "passwordFile", "passwordEnv"), key + ".primary.caFile", p.Endpoint, null, p.Credentials, p.Trust));
        }

        if (config.Probe?.Options is { } probe)
        {
            targets.Add(new("probe.smtp", PasswordKey("probe", probe.SmtpCredentials, "smtpPasswordFile", "smtpPasswordEnv"), "caFile", null, probe.Smtp, probe.SmtpCredentials, probe.Trust));
            if (probe.Primary is { } primary)
                targets.Add(new("probe.primary", PasswordKey("probe", probe.PrimaryCredentials!, "primaryPasswordFile", "primaryPasswordEnv"), "caFile", primary, null, probe.PrimaryCredentials!, probe.Trust));
        }

        return targets;
    }

    private static string PasswordKey(string key, Protocols.Credential c, string fileKey, string envKey) => c switch
    {
        SourceCredentials p => $"{key}.{(p.PasswordFile is null && p.PasswordEnvironmentVariable is not null ? envKey : fileKey)}",
        _ => $"{key} (its access token settings)",
    };

    private async Task<IReadOnlyList<EndpointVerdict>> CheckAsync(CheckTarget t, CancellationToken cancellationToken)
    {
        if (t.NeedsPassword && PasswordRow(t.Key, t.Display, t.PasswordKey, t.Credentials) is { } bad)
            return [bad];
        if (!online)
            return [new(t.Key, t.Display, t.NeedsPassword ? "password source readable (not connected: add --online)" : "no login configured (not connected: add --online)")];
        try
        {
            return t.Smtp is not null ? [await SmtpAsync(t, cancellationToken)]
                : t.Source!.Protocol == MailProtocol.Imap ? await ImapAsync(t, cancellationToken)
                : [await Pop3Async(t, cancellationToken)];
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return [Failed(t, ErrorClassifier.Classify(e, t.Display))];
        }
    }

    /// <summary>
    /// Reads the password source as a login would; null when it is fine. An access token is not fetched offline
    /// (that may ask an identity provider): <c>--online</c> signs in with it.
    /// </summary>
    private static EndpointVerdict? PasswordRow(string key, string display, string passwordKey, Protocols.Credential credential)
    {
        if (credential is not SourceCredentials credentials)
            return null;
        try
        {
            _ = credentials.Read(display);
            return null;
        }
        catch (MailRecoveryException e)
        {
            return new(key, display, e.Message, e.Kind, $"{e.Fix} (the configuration's \"{passwordKey}\")");
        }
    }

    private static async Task<IReadOnlyList<EndpointVerdict>> ImapAsync(CheckTarget t, CancellationToken cancellationToken)
    {
        SourceEndpoint e = t.Source!;
        using ImapClient client = MailServiceConnector.NewImapClient();
        await ImapSessions.OpenAsync(client, e, t.Credentials, t.Trust, t.Display, cancellationToken);
        var rows = new List<EndpointVerdict> { new(t.Key, t.Display, "connected and logged in") };
        IReadOnlyList<string> mailboxes = e.Mailboxes.Count == 0 ? ["INBOX"] : e.Mailboxes;
        for (int i = 0; i < mailboxes.Count; i++)
        {
            string key = $"{t.Key}.mailboxes[{i}]";
            string display = $"{t.Display}/{mailboxes[i]}";
            try
            {
                IMailFolder folder = await ImapFolderLookup.GetAsync(client, mailboxes[i], t.Display, cancellationToken);
                await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
                rows.Add(new(key, display, $"opened read-only: {folder.Count} messages"));
                await folder.CloseAsync(expunge: false, cancellationToken);
            }
            catch (Exception x) when (x is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                MailRecoveryException error = ErrorClassifier.Classify(x, display);
                rows.Add(new(key, display, error.Message, error.Kind, $"{error.Fix} Change \"{key}\" in the configuration."));
                if (!client.IsConnected)
                    return rows;
            }
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return rows;
    }

    private static async Task<EndpointVerdict> Pop3Async(CheckTarget t, CancellationToken cancellationToken)
    {
        // USER/PASS and QUIT without DELE: RFC 1939 §6 removes nothing, so the maildrop is as it was.
        SourceEndpoint e = t.Source!;
        using Pop3Client client = MailServiceConnector.NewPop3Client();
        await Pop3Sessions.OpenAsync(client, e, t.Credentials, t.Trust, t.Display, cancellationToken);
        int count = client.Count;
        await client.DisconnectAsync(quit: true, cancellationToken);
        return new(t.Key, t.Display, $"connected and logged in: {count} messages");
    }

    private static async Task<EndpointVerdict> SmtpAsync(CheckTarget t, CancellationToken cancellationToken)
    {
        // EHLO (sent by the connect) and AUTH when a user is configured; no MAIL FROM, so nothing is sent.
        Probe.SmtpEndpoint e = t.Smtp!;
        using SmtpClient client = MailServiceConnector.NewSmtpClient();
        await SmtpSessions.OpenAsync(client, e, t.Credentials, t.Trust, new SmtpRefusals(e.ToString(),
            () => MailRecoveryException.Usage($"{e} offers no TLS, and the password would cross the network in clear text.", "use smtps:// or a server with STARTTLS in \"probe.smtp\", or set \"insecure\": true on a trusted network.")),
            cancellationToken);
        string detail = e.User is null ? "connected (EHLO accepted)" : "connected and logged in";

        await client.DisconnectAsync(quit: true, cancellationToken);
        return new(t.Key, t.Display, detail);
    }

    /// <summary>The classified failure, with the fix told in the configuration's keys for the two commonest causes.</summary>
    private static EndpointVerdict Failed(CheckTarget t, MailRecoveryException error) => error.Kind switch
    {
        FailureKind.Authentication => new(t.Key, t.Display, error.Message, error.Kind,
            $"check the user in \"{t.Key}\" and the password in \"{t.PasswordKey}\"; a refused login is not retried, so the account is not locked out."),
        FailureKind.Certificate => new(t.Key, t.Display, error.Message, error.Kind,
            $"set \"{t.CaKey}\" (or the top-level \"caFile\") to the server's certificate or its CA in PEM, or add it to the system store; use the host name the certificate was issued for."),
        _ => new(t.Key, t.Display, error.Message, error.Kind, error.Fix),
    };
}
