using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// What a kind of mail store can do, asked by fetch, watch, replay and the primary ledger instead of a switch on
/// the protocol, so that another source (Microsoft Graph, Gmail API, JMAP) is one more row here and in the
/// factories that make its adapters, not an edit of every caller.
/// </summary>
/// <param name="Scheme">The URI scheme of its account keys (<c>imap</c>, <c>pop3</c>); also the plain (STARTTLS) scheme.</param>
/// <param name="ImplicitTlsScheme">The scheme that means TLS from the first byte (<c>imaps</c>, <c>pop3s</c>, RFC 8314).</param>
/// <param name="PlainPort">The default port of <see cref="Scheme"/>.</param>
/// <param name="ImplicitTlsPort">The default port of <see cref="ImplicitTlsScheme"/>.</param>
/// <param name="HasMailboxes">Holds named mailboxes (IMAP); false for one maildrop (POP3, RFC 1939 §1).</param>
/// <param name="CanPush">Can tell of new mail while connected (IMAP IDLE, RFC 2177), when the server offers it.</param>
/// <param name="CanSearch">Can be searched by header on the server (IMAP SEARCH), which replay's <c>--check-in</c> needs.</param>
public sealed record EndpointCapabilities(
    string Scheme,
    string ImplicitTlsScheme,
    int PlainPort,
    int ImplicitTlsPort,
    bool HasMailboxes,
    bool CanPush,
    bool CanSearch)
{
    private static readonly EndpointCapabilities Imap = new("imap", "imaps", 143, 993, HasMailboxes: true, CanPush: true, CanSearch: true);
    private static readonly EndpointCapabilities Pop3 = new("pop3", "pop3s", 110, 995, HasMailboxes: false, CanPush: false, CanSearch: false);

    /// <summary>The default port for <paramref name="tls"/>.</summary>
    public int DefaultPort(TlsMode tls) => tls == TlsMode.Implicit ? ImplicitTlsPort : PlainPort;

    public static EndpointCapabilities Of(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => Imap,
        MailProtocol.Pop3 => Pop3,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no capabilities known"),
    };
}
