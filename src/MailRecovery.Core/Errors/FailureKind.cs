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

    /// <summary>
    /// Maybe done: the connection broke after a message was handed over (replay's
    /// <see cref="Replay.DeliveryOutcome.Uncertain"/>). Never retried blindly; the next run looks before it re-sends.
    /// </summary>
    Uncertain,

    /// <summary>
    /// A bug in MailRecovery: an exception no adapter knows. Told as "internal error" with the file that holds the
    /// details (<see cref="InternalErrorDetails"/>), never dressed up as the user's problem.
    /// </summary>
    Internal,
}
