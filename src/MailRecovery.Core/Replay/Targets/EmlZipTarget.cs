using System.IO.Compression;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>emlzip:/file.zip</c>: one <c>.eml</c> entry per message in a zip, with the names of
/// <see cref="EmlTarget"/>, byte-exact (deflate only changes how the bytes are stored).
/// </summary>
/// <remarks>
/// <para>
/// <b>Deliveries to this target become final at <see cref="CompleteAsync"/>, not at
/// <see cref="DeliverAsync"/>.</b> A zip cannot be appended to in place without risking the whole file on a
/// crash (the central directory sits at its end), so a run writes a new zip, <c>{file}.partial</c>: first every
/// entry of the existing <c>{file}</c> (so a second run appends to the first), then this run's messages.
/// <see cref="CompleteAsync"/> closes it, fsyncs it, renames it over <c>{file}</c> and fsyncs the directory.
/// Order is important: <c>{file}</c> is at every moment either the previous run's zip or this run's, whole.
/// </para>
/// <para>
/// A run that dies before <see cref="CompleteAsync"/> leaves only <c>{file}.partial</c>, which the next
/// <see cref="OpenAsync"/> deletes; its messages were never final, and <see cref="CheckAsync"/> reports them
/// Absent. The partial is created at the first delivery, so a run that finds nothing new rewrites nothing.
/// </para>
/// </remarks>
public sealed class EmlZipTarget : IReplayTarget
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // DOS time in zip headers covers 1980-01-01 to 2107-12-31 (APPNOTE 4.4.6); ZipArchiveEntry throws outside it.
    private static readonly DateTimeOffset FirstZipTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastZipTime = new(2107, 12, 31, 23, 59, 58, TimeSpan.Zero);

    private readonly HashSet<string> inFinal = new(StringComparer.Ordinal);
    private readonly HashSet<string> addedThisRun = new(StringComparer.Ordinal);
    private FileStream? partialFile;
    private ZipArchive? partialZip;

    // An entry cut short by an I/O error cannot be taken out of a zip being written: the partial is spoiled.
    private bool torn;

    public EmlZipTarget(string path)
    {
        FilePath = Path.GetFullPath(path);
        PartialPath = FilePath + ".partial";
        Description = $"emlzip:{path}";
        JournalKey = $"emlzip:{FilePath}";
    }

    /// <summary>The zip's absolute path.</summary>
    public string FilePath { get; }

    /// <summary>Where a run builds the next zip before <see cref="CompleteAsync"/> renames it over <see cref="FilePath"/>.</summary>
    public string PartialPath { get; }

    public string Description { get; }

    public string JournalKey { get; }

    private string DirectoryPath => Path.GetDirectoryName(FilePath) ?? "/";

    /// <summary>
    /// Deletes the partial zip a killed run left, creates the directory (0700) when it is missing, and reads
    /// the entry names of the existing zip.
    /// </summary>
    /// <exception cref="MailRecoveryException">The directory cannot be created, or the existing file is not a zip.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            DurableDirectory.Create(DirectoryPath, PrivateDirectory);
            File.Delete(PartialPath);
            inFinal.Clear();

            // The zip is read back and replaced by rename: a link at its name is refused, never read through.
            RegularFile.RefuseLink(FilePath);
            if (RegularFile.Exists(FilePath))
            {
                await using FileStream file = RegularFile.OpenRead(FilePath);
                await using ZipArchive zip = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
                foreach (ZipArchiveEntry entry in zip.Entries)
                    inFinal.Add(entry.FullName);
            }
        }
        catch (InvalidDataException e)
        {
            throw MailRecoveryException.Usage($"{Description}: {FilePath} exists and is not a zip file ({e.Message}).",
                "move it away or name another file; replay only appends to zip files it can read.");
        }
        catch (NotRegularFileException e)
        {
            throw MailRecoveryException.Usage($"{Description}: {e.Message}", "name a regular file; replay never writes through a link.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailRecoveryException(FailureKind.LocalStorage, FailureScope.Run,
                $"{Description}: cannot open {FilePath} ({e.Message}).",
                "check the path, and that this user may create and write files in its directory.", e);
        }
    }

    /// <summary>No checkpoint: a message is in the final zip by its entry name, or not at all.</summary>
    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>
    /// Present when the entry is in the zip as it was at <see cref="OpenAsync"/> or was added in this run;
    /// Absent otherwise, including for messages of a killed run, whose partial zip was discarded.
    /// </summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
    {
        string name = EmlTarget.FileNameOf(item);
        return Task.FromResult(inFinal.Contains(name) || addedThisRun.Contains(name) ? Presence.Present : Presence.Absent);
    }

    /// <summary>
    /// Adds the message to the partial zip. It is not final, and not durable, until <see cref="CompleteAsync"/>
    /// returns. A message already in the zip is not added twice.
    /// </summary>
    /// <exception cref="DeliveryException">TryLater when the partial zip cannot be written (nothing of this run will count).</exception>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        string name = EmlTarget.FileNameOf(item);
        if (inFinal.Contains(name) || addedThisRun.Contains(name))
            return;
        ThrowIfTorn();
        cancellationToken.ThrowIfCancellationRequested();
        ZipArchive zip = await EnsurePartialAsync(cancellationToken);

        // Open the archived file before the entry exists, so that a missing file spoils nothing.
        Stream source;
        try
        {
            source = item.OpenRead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeliveryException(DeliveryOutcome.Failed, $"{Description}: cannot read {item.Path} ({e.Message}).", e);
        }

        await using (source)
        {
            try
            {
                ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = Clamp(item.Message.Metadata.ReceivedAt);

                // Once begun, an entry is finished regardless of cancellation: a cut-short entry cannot be
                // removed again, and a local copy takes at most a second or two.
                await using Stream content = await entry.OpenAsync(CancellationToken.None);
                await source.CopyToAsync(content, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                torn = true;
                if (TargetDiskFull.Is(e))
                    throw TargetDiskFull.Error(Description, e); // every following entry would fail the same way
                throw new DeliveryException(DeliveryOutcome.TryLater,
                    $"{Description}: cannot write {name} into {PartialPath} ({e.Message}); nothing of this run will be kept.", e);
            }
        }

        addedThisRun.Add(name);
    }

    /// <summary>
    /// Makes this run's deliveries final: closes the partial zip, fsyncs it, renames it over the zip, fsyncs the
    /// directory. Creates an empty zip when there was none and nothing was delivered, so the file always exists
    /// after a successful run.
    /// </summary>
    /// <exception cref="DeliveryException">
    /// TryLater when the partial zip was spoiled or cannot be finished: none of this run's deliveries count,
    /// and the zip is as before the run. Uncertain when only the directory fsync failed.
    /// </exception>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (torn)
        {
            await AbandonAsync();
            throw new DeliveryException(DeliveryOutcome.TryLater,
                $"{Description}: an entry could not be written, so none of this run's {addedThisRun.Count} messages were added; {FilePath} is unchanged.");
        }

        if (partialZip is null)
        {
            if (File.Exists(FilePath))
                return;
            await EnsurePartialAsync(cancellationToken);
        }

        try
        {
            // Disposing writes the central directory; only then is the partial a whole zip worth syncing.
            await partialZip!.DisposeAsync();
            partialZip = null;
            partialFile!.Flush(flushToDisk: true);
            await partialFile.DisposeAsync();
            partialFile = null;
            RegularFile.RefuseLink(FilePath);
            File.Move(PartialPath, FilePath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await AbandonAsync();
            if (TargetDiskFull.Is(e))
                throw TargetDiskFull.Error(Description, e);
            throw new DeliveryException(DeliveryOutcome.TryLater,
                $"{Description}: cannot finish {PartialPath} ({e.Message}); none of this run's {addedThisRun.Count} messages were added.", e);
        }

        inFinal.UnionWith(addedThisRun);
        addedThisRun.Clear();
        try
        {
            DirectorySync.Sync(DirectoryPath);
        }
        catch (IOException e)
        {
            throw new DeliveryException(DeliveryOutcome.Uncertain, $"{Description}: cannot sync {DirectoryPath} after replacing the zip ({e.Message}).", e);
        }
    }

    /// <summary>Without <see cref="CompleteAsync"/>, discards this run's partial zip; the zip stays as it was.</summary>
    public async ValueTask DisposeAsync() => await AbandonAsync();

    private static DateTimeOffset Clamp(DateTimeOffset time)
    {
        DateTimeOffset utc = time.ToUniversalTime();
        return utc < FirstZipTime ? FirstZipTime : utc > LastZipTime ? LastZipTime : utc;
    }

    /// <summary>
    /// Creates the partial zip on first use and copies the existing zip's entries into it, so that the
    /// rename in <see cref="CompleteAsync"/> loses nothing an earlier run added.
    /// </summary>
    private async Task<ZipArchive> EnsurePartialAsync(CancellationToken cancellationToken)
    {
        if (partialZip is not null)
            return partialZip;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = PrivateFile,
            };
            partialFile = new FileStream(PartialPath, options);
            partialZip = await ZipArchive.CreateAsync(partialFile, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            if (RegularFile.Exists(FilePath))
            {
                await using FileStream file = RegularFile.OpenRead(FilePath);
                await using ZipArchive previous = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
                foreach (ZipArchiveEntry old in previous.Entries)
                {
                    ZipArchiveEntry copy = partialZip.CreateEntry(old.FullName, CompressionLevel.Optimal);
                    copy.LastWriteTime = old.LastWriteTime;
                    await using Stream from = await old.OpenAsync(cancellationToken);
                    await using Stream to = await copy.OpenAsync(cancellationToken);
                    await from.CopyToAsync(to, cancellationToken);
                }
            }

            return partialZip;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException)
        {
            await AbandonAsync();
            if (e is OperationCanceledException)
                throw;
            if (TargetDiskFull.Is(e))
                throw TargetDiskFull.Error(Description, e);
            throw new DeliveryException(DeliveryOutcome.TryLater,
                $"{Description}: cannot prepare {PartialPath} with the entries of {FilePath} ({e.Message}).", e);
        }
    }

    private void ThrowIfTorn()
    {
        if (torn)
        {
            throw new DeliveryException(DeliveryOutcome.TryLater,
                $"{Description}: an earlier entry of this run could not be written, so this run's zip will be discarded; run again.");
        }
    }

    private async Task AbandonAsync()
    {
        // Closing a zip in Create mode writes its central directory; harmless here, the file is deleted next.
        try
        {
            if (partialZip is not null)
                await partialZip.DisposeAsync();
            if (partialFile is not null)
                await partialFile.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // A spoiled partial, or a full disk, may not close cleanly; it is deleted below either way.
            try
            {
                partialFile?.SafeFileHandle.Dispose();
            }
            catch (IOException)
            {
                // The handle is gone with the stream; nothing is left to release.
            }
        }

        partialZip = null;
        partialFile = null;
        try
        {
            File.Delete(PartialPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next OpenAsync, which deletes it before anything else.
        }
    }
}
