using System.Net.Sockets;
using System.Security.Authentication;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using Polly.Timeout;

namespace MailRecovery.Core.Errors;

/// <summary>
/// Turns what MailKit, sockets, the file system and Polly throw into a <see cref="MailRecoveryException"/>
/// that names <paramref name="thing"/> and says what to do. Called once, at the adapter boundary, for sources,
/// targets and probes alike. An exception it does not know is a bug: <see cref="FailureKind.Internal"/>, with the
/// details written to a file (<see cref="InternalErrorDetails"/>), never passed off as a user error.
/// </summary>
public static class ErrorClassifier
{
    /// <summary>errno ENOSPC and EDQUOT on Linux.</summary>
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    /// <summary>SQLite's SQLITE_FULL and SQLITE_IOERR result codes.</summary>
    private const int SqliteFull = 13;
    private const int SqliteIoErr = 10;

    public static MailRecoveryException Classify(Exception error, string thing)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case MailRecoveryException known:
                return known;
            case Exception when ProviderThrottling.Classify(error, thing) is { } throttled:
                // Before the refusals below: a provider's "slow down" is a wait, not a refused password or mailbox.
                return throttled;
            case Sources.InputGuard.OverlongServerInputException:
                // Not retried: a server that floods one line will flood it again, 16 MiB a try.
                return new(FailureKind.Permanent, FailureScope.Account,
                    $"{thing}: {error.Message.TrimEnd('.')} without ending it: not a mail server, or a broken one.",
                    "check the host and port (IMAP 143/993, POP3 110/995, SMTP 25/465/587, LMTP as configured); if they are right, the server is broken: ask its administrator.", error);
            case MailKit.Security.AuthenticationException:
                return new(FailureKind.Authentication, FailureScope.Account,
                    $"{thing}: the server refused the user name or password ({error.Message.TrimEnd('.')}).",
                    "check the user in the URI and the password file or environment variable; it is not retried, so the account is not locked out.", error);
            case SslHandshakeException handshake when handshake.ServerCertificate is null:
                // No certificate was ever seen: the other end does not speak TLS at all (a plain or STARTTLS port).
                return new(FailureKind.Usage, FailureScope.Account,
                    $"{thing}: TLS handshake failed: the port does not speak TLS (is it a STARTTLS port?).",
                    "use imap://, pop3:// or smtp:// (STARTTLS) for this port, or the implicit-TLS port (993, 995, 465) with imaps://, pop3s:// or smtps://.", error);
            case SslHandshakeException:
                return new(FailureKind.Certificate, FailureScope.Account,
                    $"{thing}: the server's TLS certificate is not trusted.",
                    "pass --ca-file (or set \"caFile\" in the configuration) with the server's certificate or its CA in PEM (or add it to the system store); use the host name the certificate was issued for.", error);
            case System.Security.Authentication.AuthenticationException:
                return new(FailureKind.Certificate, FailureScope.Account,
                    $"{thing}: the TLS handshake failed ({error.Message}).",
                    "check the TLS mode (imaps/pop3s for implicit TLS, imap/pop3 for STARTTLS) and the port.", error);
            case SocketException socket:
                return new(FailureKind.Transient, FailureScope.Account,
                    $"{thing}: cannot connect ({socket.SocketErrorCode}: {socket.Message}).",
                    "check the host and port, and that the server is running; it is retried later.", error);
            case TimeoutRejectedException or TimeoutException:
                return new(FailureKind.Transient, FailureScope.Account,
                    $"{thing}: the server did not answer in time.",
                    "the server may be overloaded or the network slow; it is retried later.", error);
            case ImapProtocolException or Pop3ProtocolException or SmtpProtocolException or ServiceNotConnectedException:
                return new(FailureKind.Transient, FailureScope.Account,
                    $"{thing}: the connection broke ({error.Message.TrimEnd('.')}).",
                    "it is retried; nothing is deleted from the server for messages not yet archived.", error);
            case ServerProtocolViolationException:
                return new(FailureKind.Permanent, FailureScope.Account,
                    $"{thing}: the server broke the protocol: {error.Message.TrimEnd('.')}.",
                    "this is a fault of the server, not of the configuration: tell its operator; the other accounts go on, and nothing was deleted.", error);
            case FolderNotFoundException folder:
                return new(FailureKind.Usage, FailureScope.Mailbox,
                    $"{thing}: the mailbox '{folder.FolderName}' does not exist.",
                    "check the mailbox name (names other than INBOX are case-sensitive, and the separator may be '.' or '/').", error);
            case ImapCommandException or Pop3CommandException:
                return new(FailureKind.Permanent, FailureScope.Mailbox,
                    $"{thing}: the server refused a command ({error.Message.TrimEnd('.')}).",
                    "check the mailbox name and the account's permissions.", error);
            case SmtpCommandException smtp:
                return new(smtp.StatusCode is >= (SmtpStatusCode)400 and < (SmtpStatusCode)500 ? FailureKind.Transient : FailureKind.Permanent,
                    FailureScope.Message, $"{thing}: the SMTP server said {(int)smtp.StatusCode} {smtp.Message}", null, error);
            case IOException io when IsDiskFull(io):
                return new(FailureKind.LocalStorage, FailureScope.Archive,
                    $"{thing}: the disk is full ({io.Message}).",
                    UnarchivedKept("free space or move the archive"), error);
            case Microsoft.Data.Sqlite.SqliteException sqlite when sqlite.SqliteErrorCode is SqliteFull or SqliteIoErr:
                return new(FailureKind.LocalStorage, FailureScope.Archive,
                    $"{thing}: the index cannot be written ({sqlite.Message}).",
                    UnarchivedKept("free space on the archive's disk (a full disk is the usual cause)"), error);
            case Microsoft.Data.Sqlite.SqliteException sqlite when Archive.ArchiveIndex.IsCorruption(sqlite):
                return Archive.ArchiveIndex.Corrupt($"{thing}: the index", sqlite);
            case Microsoft.Data.Sqlite.SqliteException sqlite:
                return new(FailureKind.Permanent, FailureScope.Archive,
                    $"{thing}: the index failed ({sqlite.Message}).",
                    "run 'mailrecovery archive verify', then 'mailrecovery archive reindex' to rebuild the index from the Maildir.", error);
            case UnauthorizedAccessException:
                return new(FailureKind.LocalStorage, FailureScope.Archive,
                    $"{thing}: permission denied ({error.Message}).",
                    "run as the user who owns the archive, or fix its permissions.", error);
            case IOException:
                return new(FailureKind.Transient, FailureScope.Account,
                    $"{thing}: input/output error ({error.Message.TrimEnd('.')}).",
                    "it is retried later.", error);
            default:
                // Nothing an adapter knows: a bug in MailRecovery. Said so, with the details in a file of their own,
                // instead of showing the exception's text as if it were the user's problem.
                return new(FailureKind.Internal, FailureScope.Account,
                    $"{thing}: internal error ({error.GetType().Name}: {error.Message.TrimEnd('.')}); {InternalErrorDetails.Where(InternalErrorDetails.Write(error, TimeProvider.System))}.",
                    "this is a bug in MailRecovery: please report it with that file; the next run resumes where this one stopped.", error);
        }
    }

    /// <summary>
    /// The fix of a local storage failure. A run with the delete policy may well have removed messages from the
    /// server before the disk filled up: what it never removed is a message it had not archived.
    /// </summary>
    private static string UnarchivedKept(string fix) =>
        $"{fix}; no message was deleted from a server before it was archived, and the next run resumes where this one stopped.";

    /// <summary>True for ENOSPC / EDQUOT, whichever way the runtime reports them.</summary>
    public static bool IsDiskFull(IOException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        // On Unix the runtime puts the raw errno in HResult; 0x70 and 0x27 mean other things there (EHOSTDOWN,
        // ENOTEMPTY), so the Windows codes only count on Windows.
        int code = error.HResult & 0xFFFF;
        bool windowsFull = OperatingSystem.IsWindows() && code is 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */;
        return windowsFull || (!OperatingSystem.IsWindows() && code is NoSpace or QuotaExceeded)
            || error.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase);
    }
}
