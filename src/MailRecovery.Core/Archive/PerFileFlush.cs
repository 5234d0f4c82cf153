namespace MailRecovery.Core.Archive;

/// <summary>
/// One fsync per file, in parallel so that the file system commits them together (a group commit). Works on every
/// file system; the one a FUSE layer, NFS or an unknown file system gets.
/// </summary>
internal sealed class PerFileFlush : IBatchFlush
{
    /// <summary>Parallel fsyncs.</summary>
    private const int Parallelism = 8;

    public void Flush(IReadOnlyList<FileStream> files)
    {
        if (files.Count == 1)
        {
            files[0].Flush(flushToDisk: true);
            return;
        }

        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, f => f.Flush(flushToDisk: true));
    }
}
