namespace MailRecovery.Core.Errors;

/// <summary>
/// A failure classified once, at the adapter boundary: what broke, whether to retry, a short message that
/// names the thing, and the fix. The user sees <see cref="Exception.Message"/> and <see cref="Fix"/>; the
/// inner exception goes to the log only. Replay's <see cref="Replay.DeliveryException"/> is the message-scoped kind
/// of the same model.
/// </summary>
public class MailRecoveryException : Exception
{
    public MailRecoveryException(FailureKind kind, FailureScope scope, string message, string? fix = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Scope = scope;
        Fix = fix;
    }

    public MailRecoveryException()
        : this(FailureKind.Permanent, FailureScope.Run, "unknown failure")
    {
    }

    public MailRecoveryException(string message)
        : this(FailureKind.Permanent, FailureScope.Run, message)
    {
    }

    public MailRecoveryException(string message, Exception inner)
        : this(FailureKind.Permanent, FailureScope.Run, message, null, inner)
    {
    }

    public FailureKind Kind { get; }

    public FailureScope Scope { get; }

    /// <summary>What the user can do about it, in one sentence; null when there is nothing to add.</summary>
    public string? Fix { get; }

    /// <summary>
    /// How long the server asked us to wait before trying again (a provider's throttling, see
    /// <see cref="ProviderThrottling"/>); null for an ordinary failure. A failure with a wait is honoured by waiting,
    /// not counted against the retries.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True when the same operation may succeed later (the retry policies read this).</summary>
    public bool IsTransient => Kind == FailureKind.Transient;

    /// <summary>The message and the fix, as printed to the user.</summary>
    public string UserText => Fix is null ? Message : $"{Message}\n  fix: {Fix}";

    public static MailRecoveryException Usage(string message, string? fix = null) =>
        new(FailureKind.Usage, FailureScope.Run, message, fix);
}
