using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay.Targets;

namespace MailRecovery.Core.Replay;

/// <summary>
/// What <c>replay --dry-run</c> checks of its target, changing nothing, so that a TLS, password or permission
/// problem shows before the real run and not in the middle of an incident. Network targets are opened exactly
/// as the real run opens them (IMAP: connect, TLS, login, find the mailbox; SMTP: connect, TLS, AUTH when the
/// URI names a user; LMTP: connect and LHLO) and then closed without a transaction. A file target's directory
/// (or, when it does not exist yet, the nearest existing parent the run would create it in) must be writable.
/// A pipe command is not run.
/// </summary>
public static class ReplayTargetCheck
{
    /// <summary>Checks <paramref name="target"/> (made from <paramref name="text"/>) and says what was checked.</summary>
    /// <exception cref="MailRecoveryException">The target cannot be reached, trusted or logged in to, or its directory is not writable; classified, with the fix.</exception>
    public static async Task<string> RunAsync(IReplayTarget target, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        switch (target)
        {
            case ImapAppendTarget:
                await target.OpenAsync(cancellationToken);
                return "connected and logged in";
            case SmtpTarget:
                await target.OpenAsync(cancellationToken);
                return text.Contains('@', StringComparison.Ordinal) ? "connected and logged in" : "connected (no login: the URI names no user)";
            case LmtpTarget:
                await target.OpenAsync(cancellationToken);
                return "connected (LMTP has no login)";
        }

        if (ReplayTargetUri.LocalPathOf(text) is string path)
            return CheckWritable(path, target.Description);
        return "not checked (a pipe command runs only in the real replay)";
    }

    private static string CheckWritable(string path, string description)
    {
        // mbox and emlzip name a file: its directory is what must be writable. Directory targets are created by
        // the run when missing: the nearest existing parent must let it.
        string full = Path.GetFullPath(path);
        string? dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
        while (dir is not null && !Directory.Exists(dir))
            dir = Path.GetDirectoryName(dir);
        if (dir is null)
            throw MailRecoveryException.Usage($"target {description}: no part of {full} exists.", "check the path.");

        // A probe file, deleted at once: the only reliable test (permissions, ACLs, read-only mounts, quotas).
        string probe = Path.Combine(dir, $".mailrecovery-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Run,
                $"target {description}: cannot write in {dir} ({e.Message}).",
                "run as a user who may write there, or choose another path.", e);
        }

        return dir == full ? $"{dir} is writable" : $"{dir} is writable (the run creates {full})";
    }
}
