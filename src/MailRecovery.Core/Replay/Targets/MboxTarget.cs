using System.Buffers;
using System.Globalization;
using System.Text;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;
using Microsoft.Win32.SafeHandles;
using MimeKit;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>mbox:/path/file</c>: appends messages to an mbox in the mboxrd form (RFC 4155 and its appendix on the
/// mboxrd convention), which mutt, Thunderbird, Dovecot and MimeKit read. Each message is written as
/// <list type="number">
/// <item>a From_ line, <c>From {envelope sender} {receipt time as asctime, UTC}</c> and LF (RFC 4155 §2): the
/// sender from the Return-Path header, else <c>MAILER-DAEMON</c>;</item>
/// <item>the archived bytes with every line that matches <c>^&gt;*From </c> quoted with one more <c>&gt;</c>, so a
/// reader un-quotes exactly one and gets the original back; line ends are kept as they are (CRLF from
/// servers);</item>
/// <item>an LF when the message does not end with one, then an empty line (LF) before the next From_ line.</item>
/// </list>
/// </summary>
/// <remarks>
/// The file is fsynced after every message. <see cref="Checkpoint"/> is the file's length before an append;
/// given it back, <see cref="CheckAsync"/> cuts a torn append off. The target takes no mbox locks
/// (dotlock/fcntl): point it at a file no mail server is delivering into at the same time.
/// </remarks>
public sealed class MboxTarget : IReplayTarget
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const int ReadSize = 64 * 1024;

    // At most two bytes out per byte in, plus four held back from the previous chunk: see Quote.
    private const int WriteSize = (2 * ReadSize) + 8;
    private static readonly byte[] FromSpace = "From "u8.ToArray();
    private FileStream? file;

    public MboxTarget(string path)
    {
        FilePath = Path.GetFullPath(path);
        Description = $"mbox:{path}";
        JournalKey = $"mbox:{FilePath}";
    }

    /// <summary>The mbox's absolute path.</summary>
    public string FilePath { get; }

    public string Description { get; }

    public string JournalKey { get; }

    private SafeFileHandle Handle => (file ?? throw new InvalidOperationException($"{Description} is not open.")).SafeFileHandle;

    /// <summary>RFC 4155 §2's timestamp, C's asctime(3) in UTC: "Thu Nov  5 10:00:00 2026" (day padded with a space).</summary>
    public static string AscTime(DateTimeOffset time)
    {
        DateTime t = time.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");
    }

    /// <summary>
    /// The envelope sender for the From_ line from a Return-Path header value (RFC 5322 §3.6.7): the address
    /// inside the angle brackets; <c>MAILER-DAEMON</c> for the null sender <c>&lt;&gt;</c>, a missing header,
    /// or anything that would not be one token on the From_ line.
    /// </summary>
    public static string EnvelopeSender(string? returnPath)
    {
        const string Daemon = "MAILER-DAEMON";
        if (returnPath is null)
            return Daemon;
        string value = returnPath.Trim();
        int open = value.IndexOf('<', StringComparison.Ordinal);
        if (open >= 0)
        {
            int close = value.IndexOf('>', open + 1);
            value = close < 0 ? value[(open + 1)..] : value[(open + 1)..close];
        }

        value = value.Trim();
        return value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? Daemon : value;
    }

    /// <summary>
    /// Creates the file (0600, and its directory 0700) when missing; refuses a file that is not an mbox, a
    /// symbolic link or anything but a regular file at the name (never appended through), and an existing mbox
    /// that group or others may read or write: customer mail would become theirs to read.
    /// </summary>
    /// <exception cref="MailRecoveryException">
    /// The file cannot be opened; it is a link, not a regular file, open to others (usage: exit 2, fix
    /// <c>chmod 600</c>), or holds something other than an mbox.
    /// </exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            string? dir = Path.GetDirectoryName(FilePath);
            if (dir is not null)
                DurableDirectory.Create(dir, PrivateDirectory);
            SafeFileHandle handle = RegularFile.OpenOrCreate(FilePath, PrivateFile, out bool created);
            file = new FileStream(handle, FileAccess.ReadWrite, 0);
            if (created && dir is not null)
                DirectorySync.Sync(dir);

            // Refused rather than warned about: a warning scrolls by in an unattended run, the fix is one
            // command, and the same rule holds for password files.
            UnixFileMode open = RegularFile.PermissionsOf(handle) & OpenToOthers;
            if (open != 0)
            {
                await DisposeAsync();
                throw MailRecoveryException.Usage($"{Description}: {FilePath} can be read or written by group or others, and replay would add customer mail to it.",
                    $"chmod 600 {FilePath}");
            }

            // Appending to some other file would bury it: an mbox is empty or starts with a From_ line.
            byte[] head = new byte[FromSpace.Length];
            int n = await RandomAccess.ReadAsync(Handle, head, 0, cancellationToken);
            if (n > 0 && !head.AsSpan(0, n).SequenceEqual(FromSpace))
            {
                await DisposeAsync();
                throw MailRecoveryException.Usage($"{Description}: {FilePath} is not empty and does not start with a From_ line, so it is not an mbox.",
                    "name a new file or an existing mbox.");
            }
        }
        catch (NotRegularFileException e)
        {
            await DisposeAsync();
            throw MailRecoveryException.Usage($"{Description}: {e.Message}", "name a regular file; replay never writes through a link.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await DisposeAsync();
            throw new MailRecoveryException(FailureKind.LocalStorage, FailureScope.Run,
                $"{Description}: cannot open {FilePath} ({e.Message}).",
                "check the path, and that this user may create and write it.", e);
        }
    }

    /// <summary>The file's length before the append, in bytes, as invariant decimal.</summary>
    public string? Checkpoint(ReplayItem item) => RandomAccess.GetLength(Handle).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Without a checkpoint, Absent: an mbox cannot be searched cheaply, and the journal keeps finished
    /// deliveries from being repeated. With one, the bytes after it are compared with what delivering
    /// <paramref name="item"/> writes: none or a strict beginning of it (a torn append) are cut off and the
    /// answer is Absent; the whole of it is Present; anything else is Unknown and nothing is cut, since
    /// something other than this delivery wrote there and truncating would destroy its mail.
    /// </summary>
    public async Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
    {
        if (checkpoint is null)
            return Presence.Absent;
        if (!long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out long start))
            throw new ArgumentException($"'{checkpoint}' is not an mbox checkpoint.", nameof(checkpoint));
        long length = RandomAccess.GetLength(Handle);
        if (length <= start)
            return Presence.Absent;

        byte[] onDisk = ArrayPool<byte>.Shared.Rent(WriteSize);
        try
        {
            long position = start;
            bool differs = false;
            long expected = await ProduceAsync(item, await SeparatorAsync(start, cancellationToken), async (chunk, ct) =>
            {
                int count = (int)Math.Min(chunk.Length, length - position);
                if (differs || count == 0)
                    return;
                int read = 0;
                while (read < count)
                {
                    int n = await RandomAccess.ReadAsync(Handle, onDisk.AsMemory(read, count - read), position + read, ct);
                    if (n == 0)
                        break;
                    read += n;
                }

                differs = read < count || !onDisk.AsSpan(0, count).SequenceEqual(chunk.Span[..count]);
                position += count;
            }, cancellationToken);

            if (differs || expected < length - start)
                return Presence.Unknown;
            if (expected == length - start)
            {
                // Whole, but perhaps only in the page cache of a run that died before its fsync.
                RandomAccess.FlushToDisk(Handle);
                return Presence.Present;
            }

            RandomAccess.SetLength(Handle, start);
            RandomAccess.FlushToDisk(Handle);
            return Presence.Absent;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(onDisk);
        }
    }

    /// <summary>Appends the message and fsyncs the file; on failure cuts the file back to where it was.</summary>
    /// <exception cref="DeliveryException">
    /// TryLater or Failed when the append failed and was undone; Uncertain when it could not be undone.
    /// </exception>
    /// <exception cref="MailRecoveryException">The disk is full (undone): the replay stops (<see cref="TargetDiskFull"/>).</exception>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        SafeFileHandle handle = Handle;
        long start = RandomAccess.GetLength(handle);
        long position = start;
        try
        {
            byte[] separator = await SeparatorAsync(start, cancellationToken);
            await ProduceAsync(item, separator, async (chunk, ct) =>
            {
                await RandomAccess.WriteAsync(handle, chunk, position, ct);
                position += chunk.Length;
            }, cancellationToken);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            try
            {
                RandomAccess.SetLength(handle, start);
                RandomAccess.FlushToDisk(handle);
            }
            catch (IOException undo)
            {
                throw new DeliveryException(DeliveryOutcome.Uncertain,
                    $"{Description}: appending failed ({e.Message}) and the partial message could not be cut off ({undo.Message}).", e);
            }

            if (e is OperationCanceledException)
                throw;
            if (TargetDiskFull.Is(e))
                throw TargetDiskFull.Error(Description, e); // cut back: nothing was added
            throw new DeliveryException(e is UnauthorizedAccessException ? DeliveryOutcome.Failed : DeliveryOutcome.TryLater,
                $"{Description}: cannot append to {FilePath} ({e.Message}); nothing was added.", e);
        }
    }

    /// <summary>Nothing to finish: every message was fsynced when <see cref="DeliverAsync"/> returned.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (file is not null)
            await file.DisposeAsync();
        file = null;
    }

    /// <summary>
    /// Quotes one chunk for mboxrd: a '&gt;' goes before "From " when it follows a line start and any number of
    /// '&gt;'. Emitting those '&gt;' as they come and inserting the new one just before "From " gives the same
    /// bytes as inserting it at the line start, so at most four bytes ("From" without its space) are held
    /// back between chunks, in <paramref name="matched"/>. Writes at most 2 × input + 4 bytes.
    /// </summary>
    private static int Quote(ReadOnlySpan<byte> input, Span<byte> output, ref bool lineStart, ref int matched)
    {
        int o = 0;
        int i = 0;
        while (i < input.Length)
        {
            if (!lineStart)
            {
                // Mid-line: copy through the next LF in one go.
                int lf = input[i..].IndexOf((byte)'\n');
                int end = lf < 0 ? input.Length : i + lf + 1;
                input[i..end].CopyTo(output[o..]);
                o += end - i;
                i = end;
                lineStart = lf >= 0;
                continue;
            }

            byte b = input[i];
            if (matched == 0 && b == (byte)'>')
            {
                output[o++] = b;
                i++;
                continue;
            }

            if (b == FromSpace[matched])
            {
                i++;
                if (++matched == FromSpace.Length)
                {
                    output[o++] = (byte)'>';
                    FromSpace.CopyTo(output[o..]);
                    o += FromSpace.Length;
                    matched = 0;
                    lineStart = false;
                }

                continue;
            }

            // Not a From_ line after all: let the held-back bytes out, then this byte as mid-line.
            FromSpace.AsSpan(0, matched).CopyTo(output[o..]);
            o += matched;
            matched = 0;
            lineStart = false;
        }

        return o;
    }

    /// <summary>
    /// What goes before the From_ line so that it starts a line after an empty line: nothing in an empty
    /// file, else enough LFs to end the previous line and leave one empty.
    /// </summary>
    private async Task<byte[]> SeparatorAsync(long end, CancellationToken cancellationToken)
    {
        if (end == 0)
            return [];
        byte[] tail = new byte[2];
        long from = Math.Max(0, end - 2);
        int n = await RandomAccess.ReadAsync(Handle, tail.AsMemory(0, (int)(end - from)), from, cancellationToken);
        ReadOnlySpan<byte> last = tail.AsSpan(0, n);
        if (last.EndsWith("\n\n"u8))
            return [];
        return last.EndsWith("\n"u8) ? "\n"u8.ToArray() : "\n\n"u8.ToArray();
    }

    /// <summary>
    /// Produces the bytes of one append, in order, through <paramref name="emit"/>: the separator, the From_
    /// line, the quoted message, a final LF when missing, the empty line. Returns how many bytes that was.
    /// Deliveries write them; <see cref="CheckAsync"/> compares them with the file.
    /// </summary>
    private static async Task<long> ProduceAsync(ReplayItem item, byte[] separator, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> emit, CancellationToken cancellationToken)
    {
        string sender = EnvelopeSender(await ReturnPathAsync(item, cancellationToken));
        byte[] fromLine = Encoding.UTF8.GetBytes($"From {sender} {AscTime(item.Message.Metadata.ReceivedAt)}\n");
        byte[] head = [.. separator, .. fromLine];
        await emit(head, cancellationToken);
        long total = head.Length;

        byte[] input = ArrayPool<byte>.Shared.Rent(ReadSize);
        byte[] output = ArrayPool<byte>.Shared.Rent(WriteSize);
        try
        {
            await using Stream source = item.OpenRead();
            bool lineStart = true;
            int matched = 0;
            byte last = (byte)'\n';
            bool empty = true;
            int n;
            while ((n = await source.ReadAsync(input.AsMemory(0, ReadSize), cancellationToken)) > 0)
            {
                int o = Quote(input.AsSpan(0, n), output, ref lineStart, ref matched);
                last = input[n - 1];
                empty = false;
                await emit(output.AsMemory(0, o), cancellationToken);
                total += o;
            }

            // A message ending in "From" without a line end: the held-back bytes were never a From_ line.
            int tail = matched;
            FromSpace.AsSpan(0, matched).CopyTo(output);
            if (empty || last != (byte)'\n')
                output[tail++] = (byte)'\n';
            output[tail++] = (byte)'\n';
            await emit(output.AsMemory(0, tail), cancellationToken);
            return total + tail;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>The first (newest) Return-Path header of the archived file, or null.</summary>
    private static async Task<string?> ReturnPathAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        try
        {
            await using FileStream file = RegularFile.OpenRead(item.Path);
            HeaderList headers = await HeaderList.LoadAsync(file, cancellationToken);
            return headers[HeaderId.ReturnPath];
        }
        catch (FormatException)
        {
            // No parseable header block: the From_ line falls back to MAILER-DAEMON.
            return null;
        }
    }
}
