namespace MailRecovery.Core.Protocols;

/// <summary>What is wrong with an endpoint URI; each place that takes one words it for its own flags.</summary>
public enum MailUriProblem
{
    /// <summary>Nothing, or only spaces.</summary>
    Empty,

    /// <summary>Not an absolute URI at all.</summary>
    NotAUri,

    /// <summary>A scheme this place does not take (detail: the scheme).</summary>
    BadScheme,

    /// <summary>No host after <c>//</c>.</summary>
    NoHost,

    /// <summary>A password in the user part (detail: the host; never the password).</summary>
    Password,

    /// <summary>An IPv6 zone index (<c>[fe80::1%25eth0]</c>), which a URI cannot carry portably (RFC 6874 is not widely read).</summary>
    ZoneIndex,

    /// <summary>Port 0.</summary>
    PortZero,

    /// <summary>A query parameter other than <c>tls</c> (detail: its name).</summary>
    UnknownParameter,

    /// <summary><c>?tls=</c> with a value other than implicit, starttls or none (detail: the value).</summary>
    NotATlsMode,

    /// <summary><c>?tls=none</c> with a login but without <c>--insecure</c>.</summary>
    Cleartext,

    /// <summary><c>?tls=starttls</c> or <c>?tls=none</c> on a scheme that means implicit TLS (detail: the value).</summary>
    TlsConflict,

    /// <summary><c>lmtp:</c> with no socket path.</summary>
    NoSocketPath,
}
