using System.Globalization;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>eml:/dir</c>: one <c>.eml</c> file per message, byte-exact, the form file-based helpdesk importers take.
/// Names are <c>{received UTC, yyyyMMddTHHmmssZ}-{first 12 hex of SHA-256}.eml</c>, so that a plain sort of the
/// directory is the order of receipt and the target can tell whether a message is already there.
/// </summary>
/// <remarks>
/// Order is important: bytes to a new <c>.{name}.tmp.{random}</c> in the same directory (a name importers that
/// look for <c>*.eml</c> skip), mtime set to the receipt time, fsync, rename to the final name, fsync the
/// directory. An importer never sees a half-written <c>.eml</c>, and a crash leaves at most a hidden temporary
/// file. Files are 0600 and a created directory 0700, like the archive; links are never written through
/// (see <see cref="DurableFileDelivery"/>).
/// </remarks>
public sealed class EmlTarget : IReplayTarget
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public EmlTarget(string directory)
    {
        OutputDirectory = Path.GetFullPath(directory);
        Description = $"eml:{directory}";
        JournalKey = $"eml:{OutputDirectory}";
    }

    /// <summary>The output directory's absolute path.</summary>
    public string OutputDirectory { get; }

    public string Description { get; }

    public string JournalKey { get; }

    /// <summary>
    /// The file name a message gets, here and inside <see cref="EmlZipTarget"/>: receipt time to the second in
    /// UTC (so names sort by time), then 48 bits of the hash to tell apart messages received in one second. The
    /// hash is the archived file's, also with <c>--deliver-as</c>: a message keeps its name, so a file written by
    /// an earlier replay counts as present whichever Delivered-To it carries.
    /// </summary>
    public static string FileNameOf(ReplayItem item) => string.Create(CultureInfo.InvariantCulture,
        $"{item.Message.Metadata.ReceivedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{item.Message.Sha256[..12]}.eml");

    /// <summary>Creates the directory (0700) when it is missing.</summary>
    /// <exception cref="MailRecoveryException">The directory cannot be created.</exception>
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            DurableDirectory.Create(OutputDirectory, PrivateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailRecoveryException(FailureKind.LocalStorage, FailureScope.Run,
                $"{Description}: cannot create the directory ({e.Message}).",
                "check the path, and that this user may create and write it.", e);
        }

        return Task.CompletedTask;
    }

    /// <summary>No checkpoint: <see cref="CheckAsync"/> finds a delivered message by its file name.</summary>
    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>
    /// Present when the message's <c>.eml</c> exists as a regular file; a torn delivery only ever left a hidden
    /// temporary file. A link at the name is no delivery: delivering then refuses it.
    /// </summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(RegularFile.Exists(Path.Combine(OutputDirectory, FileNameOf(item))) ? Presence.Present : Presence.Absent);

    /// <exception cref="DeliveryException">
    /// TryLater or Failed when the file could not be written (no <c>.eml</c> appeared); Uncertain when the
    /// rename happened but the directory could not be synced.
    /// </exception>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        string name = FileNameOf(item);
        await DurableFileDelivery.WriteAsync(item, Path.Combine(OutputDirectory, $".{name}.tmp"), Path.Combine(OutputDirectory, name), Description, cancellationToken);
    }

    /// <summary>Nothing to finish: every delivery was durable when <see cref="DeliverAsync"/> returned.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
