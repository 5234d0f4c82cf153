namespace MailRecovery.Core.Archive;

/// <summary>
/// Makes a batch's staged files durable before the first of them is renamed into cur/ (see
/// <see cref="MaildirWriter.Publish"/>). Implementers throw <see cref="IOException"/> when any file may not be on
/// disk; the caller then renames none of them. Chosen by <see cref="BatchFlush.For"/>.
/// </summary>
internal interface IBatchFlush
{
    /// <summary>Flushes <paramref name="files"/>, in the order they were opened (the first is the oldest); closes none.</summary>
    void Flush(IReadOnlyList<FileStream> files);
}
