using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Sources;

/// <summary>
/// The source URI of every verb, on the one grammar (<see cref="MailUri"/>):
/// <c>imap://user@host[:port][/Mailbox]</c>, <c>imaps://…</c> (implicit TLS), <c>pop3://user@host[:port]</c>,
/// <c>pop3s://…</c>. Plain <c>imap</c>/<c>pop3</c> require STARTTLS unless <c>?tls=none</c> is added, and
/// <c>?tls=none</c> is refused unless the caller passes <c>insecure</c>; <c>?tls=implicit</c> is the "s" scheme.
/// A password in the URI is refused: it would end up in shell history and process listings.
/// </summary>
public static class SourceUri
{
    private static readonly string[] Schemes = ["imap", "imaps", "pop3", "pop", "pop3s", "pops"];

    public static SourceEndpoint Parse(string text, bool insecure)
    {
        MailUriRefusal refuse = (problem, detail) => Refusal(problem, detail, text);
        MailUri uri = MailUri.Parse(text, Schemes, refuse);
        (MailProtocol protocol, bool implicitScheme) = uri.Scheme switch
        {
            "imap" => (MailProtocol.Imap, false),
            "imaps" => (MailProtocol.Imap, true),
            "pop3" or "pop" => (MailProtocol.Pop3, false),
            _ => (MailProtocol.Pop3, true),
        };
        EndpointCapabilities capabilities = EndpointCapabilities.Of(protocol);
        if (uri.User.Length == 0)
            throw MailRecoveryException.Usage($"the source URI '{text}' has no user.", "write the user before the host: imaps://user@host.");
        if (uri.OtherParameters.Count > 0)
            throw refuse(MailUriProblem.UnknownParameter, uri.OtherParameters[0]);
        TlsMode tls = uri.TlsFor(implicitScheme, login: true, insecure, refuse);
        // The scheme (or ?tls=implicit) picks the default port, not ?tls=none: imap://…?tls=none is port 143.
        int defaultPort = capabilities.DefaultPort(tls == TlsMode.Implicit ? TlsMode.Implicit : TlsMode.StartTls);

        IReadOnlyList<string> mailboxes = capabilities.HasMailboxes
            ? [uri.Path.Length == 0 ? "INBOX" : uri.Path]
            : [];
        if (!capabilities.HasMailboxes && uri.Path.Length > 0)
            throw MailRecoveryException.Usage($"'{text}': POP3 has no mailboxes.", $"remove '/{uri.Path}' from the URI.");
        return new SourceEndpoint(protocol, uri.Host, uri.Port ?? defaultPort, tls, uri.User, mailboxes);
    }

    /// <summary>This place's words: the shared ones, with the source examples and flags.</summary>
    private static MailRecoveryException Refusal(MailUriProblem problem, string detail, string text) => problem switch
    {
        MailUriProblem.Empty => MailRecoveryException.Usage("the source URI is empty.", "give one like imaps://user@mail.example.com/INBOX or pop3s://user@mail.example.com."),
        MailUriProblem.NotAUri => MailRecoveryException.Usage($"'{text}' is not a source URI.", "write it as imaps://user@host[:port][/Mailbox] or pop3s://user@host[:port]."),
        MailUriProblem.BadScheme => MailRecoveryException.Usage($"'{detail}' in '{text}' is not a source scheme.", "use imap, imaps, pop3 or pop3s."),
        MailUriProblem.TlsConflict when detail == "none" => MailRecoveryException.Usage($"'{text}' asks for implicit TLS and no TLS at once.", "use imap:// or pop3:// with ?tls=none."),
        _ => MailUriRefusals.Common(problem, detail, text, "source URI",
            "remove it from the URI and pass --password-file FILE (or the MAILRECOVERY_PASSWORD environment variable)."),
    };
}
