using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// One syncfs(2) for a whole batch: every dirty file of the archive's file system is written back and the device
/// cache flushed once, instead of once per file. On ext4 (measured, 44 KB files): 256 files in 12 ms against 63 ms
/// with parallel fsyncs and 494 ms with sequential ones. Below <see cref="MinFiles"/> files, per-file fsyncs cost no
/// more and do not flush what other programs wrote, so a small batch (watch mode's usual one) keeps them.
/// </summary>
internal sealed class FileSystemFlush : IBatchFlush
{
    /// <summary>The fewest files flushed with one syncfs; smaller batches get per-file fsyncs.</summary>
    public const int MinFiles = 8;

    private readonly PerFileFlush small = new();

    public void Flush(IReadOnlyList<FileStream> files)
    {
        if (files.Count < MinFiles)
        {
            small.Flush(files);
            return;
        }

        // The oldest file of the batch: syncfs reports any write error of the file system since it was opened.
        FileSystemSync.Sync(files[0].SafeFileHandle);
    }
}
