using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay.Targets;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Parses the file and command targets of <c>replay --to</c>: <c>maildir:/path</c>, <c>mbox:/path/file</c>,
/// <c>eml:/dir</c>, <c>emlzip:/file.zip</c> and <c>pipe:COMMAND</c>. Schemes are case-insensitive; a path may be
/// relative (to the working directory), start with <c>~/</c> (the home directory), or be written
/// <c>maildir:///path</c>. Network targets (<c>imap://</c>, <c>imaps://</c>, <c>smtp://</c>, <c>smtps://</c>,
/// <c>lmtp://</c>, <c>lmtp:/socket</c>) are left to their own parser.
/// </summary>
public static class ReplayTargetUri
{
    private const string Examples =
        "maildir:/srv/restore/Maildir, mbox:/srv/restore/inbox.mbox, eml:/srv/restore/eml, emlzip:/srv/restore/mail.zip, " +
        "pipe:'/opt/rt/bin/rt-mailgate --queue general --action correspond --url https://rt.example.com', " +
        "imaps://user@mail.example.com/INBOX, smtp://mail.example.com:25 or lmtp:/var/run/dovecot/lmtp";

    private static readonly string[] NetworkSchemes = ["imap", "imaps", "smtp", "smtps", "lmtp"];

    /// <summary>
    /// The file or command target <paramref name="text"/> names, or null when it names a network target.
    /// </summary>
    /// <param name="clock">For the pipe target's per-message timeout.</param>
    /// <exception cref="MailRecoveryException">Usage: no scheme, an unknown scheme, or an empty path or command.</exception>
    public static IReplayTarget? TryCreateFileTarget(string text, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw MailRecoveryException.Usage("the replay target is empty.", $"give one like {Examples}.");
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            throw MailRecoveryException.Usage($"'{text}' has no target scheme.", $"write the kind of target first, as in {Examples}.");
        string scheme = text[..colon].ToLowerInvariant();
        string rest = text[(colon + 1)..];
        if (NetworkSchemes.Contains(scheme, StringComparer.Ordinal))
            return null;

        if (LocalPathOf(text) is string local)
        {
            // A directory target, or the folder of a file target, that is a regular file: a usage error, not "try later".
            bool isFile = scheme is "mbox" or "emlzip";
            string full = Path.GetFullPath(local);
            IO.DirectoryPath.EnsureNotAFile(isFile ? Path.GetDirectoryName(full) ?? full : full, $"target {text}");
        }

        return scheme switch
        {
            "maildir" => new MaildirTarget(PathOf(text, scheme, rest, "a Maildir directory")),
            "mbox" => new MboxTarget(FilePathOf(text, scheme, rest, "an mbox file")),
            "eml" => new EmlTarget(PathOf(text, scheme, rest, "a directory for the .eml files")),
            "emlzip" => new EmlZipTarget(FilePathOf(text, scheme, rest, "a zip file")),
            "pipe" => string.IsNullOrWhiteSpace(rest)
                ? throw MailRecoveryException.Usage($"'{text}' names no command.",
                    "write the command after pipe:, quoted for your shell, e.g. pipe:'/usr/bin/procmail -d helpdesk'.")
                : new PipeTarget(rest, clock),
            _ => throw MailRecoveryException.Usage($"'{scheme}' in '{text}' is not a replay target.",
                $"use maildir:, mbox:, eml:, emlzip:, pipe:, imap://, imaps://, smtp://, smtps:// or lmtp://, as in {Examples}."),
        };
    }

    /// <summary>The local path a file target writes (maildir, mbox, eml, emlzip); null for pipe and network targets.</summary>
    public static string? LocalPathOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon <= 0 ? string.Empty : text[..colon].ToLowerInvariant();
        return scheme is "maildir" or "mbox" or "eml" or "emlzip" ? PathOf(text, scheme, text[(colon + 1)..], "the target") : null;
    }

    /// <summary>A path for a directory target: "~/" expanded, "///abs" taken as "/abs", "//host/…" refused.</summary>
    private static string PathOf(string text, string scheme, string rest, string what)
    {
        string path = rest;
        if (path.StartsWith("///", StringComparison.Ordinal))
            path = path[2..];
        else if (path.StartsWith("//", StringComparison.Ordinal))
            throw MailRecoveryException.Usage($"'{text}' looks like a network address, but {scheme}: takes a local path.",
                $"write {scheme}:/absolute/path or {scheme}:relative/path.");
        if (string.IsNullOrWhiteSpace(path))
            throw MailRecoveryException.Usage($"'{text}' names no path.", $"write the path of {what} after {scheme}:, e.g. {scheme}:/srv/restore/out.");
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..]);
        return path;
    }

    /// <summary>A path for a file target, which cannot end in a slash.</summary>
    private static string FilePathOf(string text, string scheme, string rest, string what)
    {
        string path = PathOf(text, scheme, rest, what);
        if (path.EndsWith('/') || Directory.Exists(path))
            throw MailRecoveryException.Usage($"'{text}' names a directory, but {scheme}: writes {what}.",
                $"add a file name, e.g. {scheme}:{path.TrimEnd('/')}/{(scheme == "mbox" ? "restored.mbox" : "restored.zip")}.");
        return path;
    }
}
