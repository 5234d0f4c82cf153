using System.Security.Cryptography;
using System.Text.Json;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;
using Microsoft.Win32.SafeHandles;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// <c>mailrecovery/alerts.json</c>, what each notifier was told, under an flock(2) on <c>mailrecovery/alerts.lock</c>
/// held for the whole evaluation (load, send, save). <c>watch</c> and <c>status --alert</c> (the timer) both
/// evaluate; the lock makes one of them skip while the other sends, and the file, shared, makes the second see
/// what the first sent, so nothing is told twice. The kernel drops the lock when a process dies. The file is
/// replaced as getmail6 replaces its state: a new file is written, fsynced and renamed over the old one, then the
/// directory is fsynced, so a crash leaves the old state or the new, never half of one. It is not in the index on
/// purpose: <c>status</c> opens the index read-only beside a running watch.
/// </summary>
public sealed class AlertStateFile : IDisposable
{
    private readonly SafeFileHandle lockHandle;

    private AlertStateFile(string dataDir, SafeFileHandle lockHandle)
    {
        Path = System.IO.Path.Combine(dataDir, "alerts.json");
        this.lockHandle = lockHandle;
    }

    public string Path { get; }

    /// <summary>Takes the lock without waiting.</summary>
    /// <returns>Null when another process is evaluating alerts right now.</returns>
    /// <exception cref="IOException">The lock file cannot be opened (a link, not a regular file, no permission).</exception>
    public static AlertStateFile? TryLock(string dataDir)
    {
        SafeFileHandle handle = RegularFile.OpenOrCreate(System.IO.Path.Combine(dataDir, "alerts.lock"), UnixFileMode.UserRead | UnixFileMode.UserWrite, out _, FileShare.None);
        try
        {
            if (RegularFile.TryLockExclusive(handle))
                return new AlertStateFile(dataDir, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose();
        return null;
    }

    public void Dispose() => lockHandle.Dispose();

    /// <summary>The state; empty when there is no file yet.</summary>
    /// <exception cref="MailRecoveryException">The file is damaged or from a newer release (Usage: a person must look).</exception>
    public AlertStateDocument Load()
    {
        if (RegularFile.KindOf(Path) == FileKind.Missing)
            return AlertStateDocument.Empty();
        AlertStateDocument? document;
        try
        {
            using FileStream stream = RegularFile.OpenRead(Path);
            document = JsonSerializer.Deserialize(stream, AlertJsonContext.Default.AlertStateDocument);
        }
        catch (JsonException e)
        {
            throw MailRecoveryException.Usage($"the alert state {Path} is damaged ({e.Message}).", $"remove {Path}: every condition that holds is then alerted once more.");
        }

        if (document is null || document.Version > AlertStateDocument.CurrentVersion)
            throw MailRecoveryException.Usage($"the alert state {Path} is from a newer release.", "run the newer release, or remove the file.");
        return document with { Channels = new Dictionary<string, List<AlertedCondition>>(document.Channels, StringComparer.Ordinal) };
    }

    /// <summary>Replaces the file with <paramref name="document"/>, durably (see the class remarks).</summary>
    public void Save(AlertStateDocument document)
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        string temporary = System.IO.Path.Combine(directory, $"alerts.json.{RandomNumberGenerator.GetHexString(16, lowercase: true)}.tmp");
        try
        {
            // CreateNew never follows a link planted at the name.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, document, AlertJsonContext.Default.AlertStateDocument);
                stream.Flush(flushToDisk: true);
            }

            // Order is important: the content is on disk before the name points at it, the name before we go on.
            File.Move(temporary, Path, overwrite: true);
            DirectorySync.Sync(directory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
