using System.Globalization;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Parses the source URI grammar shared by every verb:
/// <c>imap://user@host[:port][/Mailbox]</c>, <c>imaps://…</c> (implicit TLS), <c>pop3://user@host[:port]</c>,
/// <c>pop3s://…</c>. Plain <c>imap</c>/<c>pop3</c> require STARTTLS unless <c>?tls=none</c> is added, and
/// <c>?tls=none</c> is refused unless the caller passes <c>insecure</c>. A password in the URI is refused:
/// it would end up in shell history and process listings.
/// </summary>
public static class SourceUri
{
    public static SourceEndpoint Parse(string text, bool insecure)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw MailRecoveryException.Usage("the source URI is empty.", "give one like imaps://user@mail.example.com/INBOX or pop3s://user@mail.example.com.");
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri))
            throw MailRecoveryException.Usage($"'{text}' is not a source URI.", "write it as imaps://user@host[:port][/Mailbox] or pop3s://user@host[:port].");

        (MailProtocol protocol, TlsMode tls) = uri.Scheme.ToLowerInvariant() switch
        {
            "imap" => (MailProtocol.Imap, TlsMode.StartTls),
            "imaps" => (MailProtocol.Imap, TlsMode.Implicit),
            "pop3" or "pop" => (MailProtocol.Pop3, TlsMode.StartTls),
            "pop3s" or "pops" => (MailProtocol.Pop3, TlsMode.Implicit),
            _ => throw MailRecoveryException.Usage($"'{uri.Scheme}' in '{text}' is not a source scheme.", "use imap, imaps, pop3 or pop3s."),
        };
        int defaultPort = EndpointCapabilities.Of(protocol).DefaultPort(tls); // before ?tls=none: imap://…?tls=none is port 143

        string userInfo = Uri.UnescapeDataString(uri.UserInfo);
        if (userInfo.Contains(':', StringComparison.Ordinal))
            throw MailRecoveryException.Usage($"the source URI for {uri.Host} contains a password.", "remove it from the URI and pass --password-file FILE (or the MAILRECOVERY_PASSWORD environment variable).");
        if (userInfo.Length == 0)
            throw MailRecoveryException.Usage($"the source URI '{text}' has no user.", "write the user before the host: imaps://user@host.");

        foreach (var (key, value) in Query(uri.Query))
        {
            if (key != "tls")
                throw MailRecoveryException.Usage($"unknown URI parameter '{key}' in '{text}'.", "the only parameter is ?tls=none (with --insecure).");
            if (value == "none")
            {
                if (!insecure)
                    throw MailRecoveryException.Usage($"'{text}' asks for an unencrypted connection.", "add --insecure if you really mean to send the password in clear text (only on loopback or a trusted network).");
                if (tls == TlsMode.Implicit)
                    throw MailRecoveryException.Usage($"'{text}' asks for implicit TLS and no TLS at once.", "use imap:// or pop3:// with ?tls=none.");
                tls = TlsMode.None;
            }
            else if (value == "starttls" && tls == TlsMode.Implicit)
            {
                throw MailRecoveryException.Usage($"'{text}' asks for implicit TLS and STARTTLS at once.", $"use {EndpointCapabilities.Of(protocol).Scheme}:// for STARTTLS, or drop ?tls=starttls.");
            }
            else if (value != "starttls")
            {
                throw MailRecoveryException.Usage($"'tls={value}' in '{text}' is not a TLS mode.", "use ?tls=none (with --insecure); imaps/pop3s mean implicit TLS, imap/pop3 mean STARTTLS.");
            }
        }

        string path = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        bool hasMailboxes = EndpointCapabilities.Of(protocol).HasMailboxes;
        IReadOnlyList<string> mailboxes = hasMailboxes
            ? [path.Length == 0 ? "INBOX" : path]
            : [];
        if (!hasMailboxes && path.Length > 0)
            throw MailRecoveryException.Usage($"'{text}': POP3 has no mailboxes.", "remove '/{path}' from the URI.");

        int port = uri.IsDefaultPort || uri.Port < 0 ? defaultPort : uri.Port;
        if (port == 0)
            throw MailRecoveryException.Usage($"'{text}': port 0 is not a port.", "give the server's port, or leave it out for the default.");
        return new SourceEndpoint(protocol, uri.Host, port, tls, userInfo, mailboxes);
    }

    private static IEnumerable<(string Key, string Value)> Query(string query)
    {
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? pair : pair[..eq];
            string value = eq < 0 ? string.Empty : pair[(eq + 1)..];
            yield return (Uri.UnescapeDataString(key).ToLower(CultureInfo.InvariantCulture), Uri.UnescapeDataString(value).ToLower(CultureInfo.InvariantCulture));
        }
    }
}
