using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// The one endpoint URI grammar (RFC 3986) for imap, imaps, pop3, pop3s, smtp, smtps, submission and lmtp:
/// <c>scheme://[user@]host[:port][/path][?tls=implicit|starttls|none]</c>, and <c>lmtp:/path/to/socket</c>
/// (also <c>lmtp:///path</c>) for a unix socket. The user and the path are percent-decoded (<c>%40</c> is an @ in
/// the user, <c>%2F</c> a slash in a mailbox name); an IPv6 address is written in brackets (<c>[2001:db8::1]</c>),
/// without a zone; a port is 1–65535. A password in the URI is refused (it would end in shell history and process
/// listings). What a place does with the parts (a user required or not, a mailbox path or not) stays with it:
/// <see cref="Sources.SourceUri"/>, <see cref="Probe.SmtpEndpoint"/>, <see cref="Replay.Targets.LmtpTarget"/>; the
/// TLS rule is one, <see cref="TlsFor"/>.
/// </summary>
/// <param name="Scheme">Lower case, as written (<c>pop</c> stays <c>pop</c>).</param>
/// <param name="Host">As <see cref="Uri.Host"/> gives it (lower case; IPv6 in brackets): account and journal keys are built from it.</param>
/// <param name="SocketHost">The host as a socket takes it (IPv6 without brackets).</param>
/// <param name="Port">The port written, or null for the scheme's default.</param>
/// <param name="User">The decoded user; empty when none.</param>
/// <param name="Path">The decoded path without its leading and trailing slashes.</param>
/// <param name="HasPath">A path other than "/" was written.</param>
/// <param name="Tls">What <c>?tls=</c> asked for.</param>
/// <param name="OtherParameters">Names of the query parameters other than tls, lower case, in order.</param>
/// <param name="SocketPath">For <c>lmtp:/path</c>: the socket path as written; null for a network endpoint.</param>
public sealed record MailUri(string Scheme, string Host, string SocketHost, int? Port, string User, string Path, bool HasPath,
    MailUriTls Tls, IReadOnlyList<string> OtherParameters, string? SocketPath)
{
    /// <param name="text">The URI as the user wrote it.</param>
    /// <param name="schemes">The schemes this place takes, lower case.</param>
    /// <param name="refuse">Words a problem for this place.</param>
    /// <exception cref="MailRecoveryException">Whatever <paramref name="refuse"/> makes of the first problem found.</exception>
    public static MailUri Parse(string text, IReadOnlyCollection<string> schemes, MailUriRefusal refuse)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(refuse);
        if (string.IsNullOrWhiteSpace(text))
            throw refuse(MailUriProblem.Empty, string.Empty);
        if (schemes.Contains("lmtp") && text.StartsWith("lmtp:", StringComparison.OrdinalIgnoreCase))
        {
            string rest = text["lmtp:".Length..];
            if (!rest.StartsWith("//", StringComparison.Ordinal) || rest.StartsWith("///", StringComparison.Ordinal))
            {
                string socket = rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
                return socket.Length == 0
                    ? throw refuse(MailUriProblem.NoSocketPath, string.Empty)
                    : new MailUri("lmtp", string.Empty, string.Empty, null, string.Empty, string.Empty, false, MailUriTls.Default, [], socket);
            }
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri))
            throw refuse(MailUriProblem.NotAUri, string.Empty);
        string scheme = uri.Scheme.ToLowerInvariant();
        if (!schemes.Contains(scheme))
            throw refuse(MailUriProblem.BadScheme, uri.Scheme);
        if (uri.Host.Length == 0)
            throw refuse(MailUriProblem.NoHost, string.Empty);

        string user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Contains(':', StringComparison.Ordinal))
            throw refuse(MailUriProblem.Password, uri.Host);
        // Uri drops a zone from Host and keeps it in DnsSafeHost: refuse it rather than connect somewhere unsaid.
        if (uri.HostNameType == UriHostNameType.IPv6 && uri.DnsSafeHost.Contains('%', StringComparison.Ordinal))
            throw refuse(MailUriProblem.ZoneIndex, string.Empty);
        if (uri.Port == 0)
            throw refuse(MailUriProblem.PortZero, string.Empty);

        MailUriTls tls = MailUriTls.Default;
        var others = new List<string>();
        foreach (var (key, value) in Query(uri.Query))
        {
            if (key != "tls")
            {
                others.Add(key);
                continue;
            }

            tls = value switch
            {
                "implicit" => MailUriTls.Implicit,
                "starttls" => MailUriTls.StartTls,
                "none" => MailUriTls.None,
                _ => throw refuse(MailUriProblem.NotATlsMode, value),
            };
        }

        return new MailUri(scheme, uri.Host, uri.DnsSafeHost, uri.IsDefaultPort || uri.Port < 0 ? null : uri.Port, user,
            Uri.UnescapeDataString(uri.AbsolutePath).Trim('/'), uri.AbsolutePath is not ("" or "/"), tls, others, null);
    }

    /// <summary>
    /// The one TLS rule: the scheme gives the default; <c>?tls=implicit</c> always works; <c>?tls=starttls</c> and
    /// <c>?tls=none</c> contradict an implicit-TLS scheme; <c>?tls=none</c> with a login needs <paramref name="insecure"/>.
    /// </summary>
    /// <param name="implicitScheme">The scheme means TLS from the first byte (imaps, pop3s, smtps).</param>
    /// <param name="login">A password or token will be sent.</param>
    /// <returns><see cref="Sources.TlsMode.StartTls"/> for the default of a plain scheme (SMTP reads it as "when offered" unless <see cref="Tls"/> is StartTls).</returns>
    public Sources.TlsMode TlsFor(bool implicitScheme, bool login, bool insecure, MailUriRefusal refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        return Tls switch
        {
            MailUriTls.Implicit => Sources.TlsMode.Implicit,
            MailUriTls.StartTls when implicitScheme => throw refuse(MailUriProblem.TlsConflict, "starttls"),
            MailUriTls.None when login && !insecure => throw refuse(MailUriProblem.Cleartext, string.Empty),
            MailUriTls.None when implicitScheme => throw refuse(MailUriProblem.TlsConflict, "none"),
            MailUriTls.None => Sources.TlsMode.None,
            _ => implicitScheme ? Sources.TlsMode.Implicit : Sources.TlsMode.StartTls,
        };
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
