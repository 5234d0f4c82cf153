using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Parses <c>alias audit --primary</c>: the source URIs of <c>fetch</c> (<c>imap[s]://user@host[:port][/Mailbox]</c>,
/// <c>pop3[s]://user@host[:port]</c>, same TLS rules), or a local export: <c>maildir:/path</c>, <c>mbox:/file</c>,
/// <c>eml:/dir</c>. A path may be relative, start with <c>~/</c>, or be written <c>maildir:///path</c>.
/// </summary>
public static class PrimarySourceFactory
{
    private const string Examples = "imaps://helpdesk@mail.example.com/INBOX, pop3s://helpdesk@mail.example.com, maildir:/var/mail/helpdesk/Maildir, mbox:/srv/export/helpdesk.mbox or eml:/srv/export/helpdesk";

    /// <exception cref="MailRecoveryException">Usage: an unknown scheme, a bad URI, or a path that does not exist or is of the wrong kind.</exception>
    public static IPrimaryMailSource Create(string text, PrimarySourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(text))
            throw MailRecoveryException.Usage("--primary is empty.", $"give where the helpdesk's mail is, e.g. {Examples}.");
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon <= 0 ? string.Empty : text[..colon].ToLowerInvariant();
        string rest = colon <= 0 ? string.Empty : text[(colon + 1)..];
        switch (scheme)
        {
            case "imap" or "imaps" or "pop3" or "pop3s" or "pop" or "pops":
                SourceEndpoint endpoint = SourceUri.Parse(text, options.Insecure);
                Protocols.Credential credentials = options.Credential ?? new SourceCredentials(options.PasswordFile, options.PasswordFile is null ? PrimarySourceOptions.PasswordVariable : null);
                CertificateTrust trust = CertificateTrust.FromFile(options.CaFile);
                return endpoint.Protocol == MailProtocol.Imap
                    ? new ImapPrimarySource(endpoint, credentials, trust)
                    : new Pop3PrimarySource(endpoint, credentials, trust);
            case "maildir":
                string maildir = PathOf(text, scheme, rest);
                if (!Directory.Exists(Path.Combine(maildir, "cur")) && !Directory.Exists(Path.Combine(maildir, "new")))
                    throw MailRecoveryException.Usage($"{maildir} is not a Maildir (it has no cur/ or new/).", "give the Maildir folder itself, e.g. maildir:/var/mail/helpdesk/Maildir.");
                return new MaildirPrimarySource(maildir);
            case "mbox":
                string mbox = PathOf(text, scheme, rest);
                if (!File.Exists(mbox))
                    throw MailRecoveryException.Usage($"the mbox file {mbox} does not exist.", "give the exported mbox file, e.g. mbox:/srv/export/helpdesk.mbox.");
                return new MboxPrimarySource(mbox);
            case "eml":
                string eml = PathOf(text, scheme, rest);
                if (!Directory.Exists(eml))
                    throw MailRecoveryException.Usage($"the directory {eml} does not exist.", "give the directory holding the exported .eml files, e.g. eml:/srv/export/helpdesk.");
                return new EmlPrimarySource(eml);
            default:
                throw MailRecoveryException.Usage($"'{text}' is not a primary source.", $"use imap[s]://, pop3[s]://, maildir:, mbox: or eml:, as in {Examples}.");
        }
    }

    /// <summary>An IMAP or POP3 primary as the configuration describes it (<c>accounts[i].primary</c>, <c>probe.primary</c>).</summary>
    public static IPrimaryMailSource Create(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Protocol == MailProtocol.Imap
            ? new ImapPrimarySource(endpoint, credentials, trust)
            : new Pop3PrimarySource(endpoint, credentials, trust);
    }

    /// <summary>A local path: "~/" expanded, "///abs" taken as "/abs", "//host/…" refused, made absolute.</summary>
    private static string PathOf(string text, string scheme, string rest)
    {
        string path = rest;
        if (path.StartsWith("///", StringComparison.Ordinal))
            path = path[2..];
        else if (path.StartsWith("//", StringComparison.Ordinal))
            throw MailRecoveryException.Usage($"'{text}' looks like a network address, but {scheme}: takes a local path.", $"write {scheme}:/absolute/path or {scheme}:relative/path.");
        if (string.IsNullOrWhiteSpace(path))
            throw MailRecoveryException.Usage($"'{text}' names no path.", $"write the path after {scheme}:, e.g. {scheme}:/srv/export/helpdesk.");
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..]);
        return Path.GetFullPath(path);
    }
}
