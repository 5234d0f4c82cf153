namespace MailRecovery.Core.Errors;

/// <summary>
/// When a failure may be retried (the isync axis "now / later / never").
/// </summary>
public enum FailureKind
{
    /// <summary>The network or the server hiccuped; the same call may succeed in a moment.</summary>
    Transient,

    /// <summary>The server or the input said no; retrying the same call will fail the same way.</summary>
    Permanent,

    /// <summary>The credentials were refused. Never retried: a retry storm locks accounts.</summary>
    Authentication,

    /// <summary>The server's TLS certificate is not trusted.</summary>
    Certificate,

    /// <summary>The local disk is full or not writable. Nothing is deleted from the server.</summary>
    LocalStorage,

    /// <summary>The command line or configuration is wrong.</summary>
    Usage,
}
