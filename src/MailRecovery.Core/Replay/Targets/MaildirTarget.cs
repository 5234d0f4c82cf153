using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>maildir:/path</c>: delivers into <c>new/</c> of a Maildir, as a fresh delivery that no reader has seen
/// (unread, no info part). Each message gets a name derived from its content and receipt time,
/// <c>{received unix seconds}.MR{first 20 hex of SHA-256}.mailrecovery,S={size}</c>, so that the target itself
/// can tell whether a message is already there, even after a reader moved it to <c>cur/</c> and added flags.
/// The hash is the archived file's, also with <c>--deliver-as</c> (the name then stays the message's); S= is the
/// size of the bytes written, which readers such as Dovecot trust as the file's size.
/// </summary>
/// <remarks>
/// Order is important, as in Dovecot's Maildir code: bytes to <c>tmp/</c>, mtime set to the receipt time,
/// fsync, rename into <c>new/</c>, fsync <c>new/</c>. A message is in <c>new/</c> only whole and on disk; a
/// crash before the rename leaves only a <c>tmp/</c> file, which Maildir readers ignore and clean up. The
/// <c>tmp/</c> name ends in 64 random bits and is created exclusively, and links are never written through or
/// counted as messages (see <see cref="DurableFileDelivery"/>).
/// </remarks>
public sealed class MaildirTarget : IReplayTarget
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // Base names already in new/ or cur/: read once at open, then kept up to date by our own deliveries. A
    // reader moving new/ → cur/ and adding flags does not change a base name, so the set stays right.
    private readonly HashSet<string> present = new(StringComparer.Ordinal);

    public MaildirTarget(string path)
    {
        Root = Path.GetFullPath(path);
        Description = $"maildir:{path}";
        JournalKey = $"maildir:{Root}";
    }

    /// <summary>The Maildir's absolute path.</summary>
    public string Root { get; }

    public string Description { get; }

    public string JournalKey { get; }

    private string Cur => Path.Combine(Root, "cur");

    private string New => Path.Combine(Root, "new");

    private string Tmp => Path.Combine(Root, "tmp");

    /// <summary>
    /// The base name a message gets here (no info part). The receipt second leads so that a listing sorts
    /// by time; 80 bits of the hash make names unique per content.
    /// </summary>
    public static string FileNameOf(ReplayItem item) => string.Create(CultureInfo.InvariantCulture,
        $"{item.Message.Metadata.ReceivedAt.ToUnixTimeSeconds()}.MR{item.Message.Sha256[..20]}.mailrecovery,S={item.ContentLength}");

    /// <summary>Creates the Maildir (0700) where it is missing and learns which messages it holds.</summary>
    /// <exception cref="MailRecoveryException">The Maildir cannot be created or read.</exception>
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            // New directories must survive a crash before the first message counts as delivered.
            foreach (string dir in new[] { Root, Cur, New, Tmp })
                DurableDirectory.Create(dir, PrivateDirectory);

            present.Clear();
            foreach (string dir in new[] { New, Cur })
            {
                foreach (string file in Directory.EnumerateFiles(dir).Where(RegularFile.Exists))
                    present.Add(MaildirFileName.BaseOf(Path.GetFileName(file)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailRecoveryException(FailureKind.LocalStorage, FailureScope.Run,
                $"{Description}: cannot open the Maildir ({e.Message}).",
                "check the path, and that this user may create and write it.", e);
        }

        return Task.CompletedTask;
    }

    /// <summary>A Maildir needs no checkpoint: <see cref="CheckAsync"/> finds a delivered message by its name.</summary>
    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>
    /// Present when a file with the message's base name is in <c>new/</c> or <c>cur/</c>, with or without an
    /// info part (readers add ":2,S"); Absent otherwise. A torn delivery only ever left a file in <c>tmp/</c>.
    /// </summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
    {
        string name = FileNameOf(item);
        bool found = present.Contains(name) || RegularFile.Exists(Path.Combine(New, name)) || RegularFile.Exists(Path.Combine(Cur, name));
        return Task.FromResult(found ? Presence.Present : Presence.Absent);
    }

    /// <exception cref="DeliveryException">
    /// TryLater or Failed when the file could not be written (nothing is in <c>new/</c>); Uncertain when the
    /// rename happened but <c>new/</c> could not be synced.
    /// </exception>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        string name = FileNameOf(item);
        await DurableFileDelivery.WriteAsync(item, Path.Combine(Tmp, name), Path.Combine(New, name), Description, cancellationToken);
        present.Add(name);
    }

    /// <summary>Nothing to finish: every delivery was durable when <see cref="DeliverAsync"/> returned.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
