using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Auth;

/// <summary>
/// One file holding a <see cref="StoredGrant"/>, replaced atomically: the new content goes to a temporary file in
/// the same directory (0600, created exclusively), which is fsynced and renamed over the old one, and then the
/// directory is fsynced. Order is important: a process killed (or a power cut) at any point leaves either the old
/// file or the complete new one, never a mix; and a provider that rotated the refresh token has invalidated the
/// old one, so the new one must be durable before it is used for anything else.
/// </summary>
public sealed class RefreshTokenStore(string path)
{
    /// <summary>How long a refresh token may go unused before Microsoft ends it (AADSTS700082).</summary>
    public static readonly TimeSpan InactivityLimit = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a refresh token may go unused before Google ends it: six months ("the refresh token has not been
    /// used for six months", Google's OAuth 2.0 documentation, "Refresh token expiration").
    /// </summary>
    public static readonly TimeSpan GoogleInactivityLimit = TimeSpan.FromDays(183);

    /// <summary>How long before <see cref="InactivityLimit"/> <see cref="InactivityWarning"/> speaks up.</summary>
    public static readonly TimeSpan WarnBefore = TimeSpan.FromDays(30);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The stored grant, or null when the file does not exist (never signed in).</summary>
    /// <exception cref="MailRecoveryException">Usage: unreadable, open to others, or not a store.</exception>
    public async ValueTask<StoredGrant?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
            return null;
        string text = await SecretFileReader.ReadAllAsync(Path, "refresh token store", cancellationToken);
        try
        {
            StoredGrant? grant = JsonSerializer.Deserialize(text, AuthJsonContext.Default.StoredGrant);
            if (grant is null || string.IsNullOrEmpty(grant.Secret))
                throw new JsonException("no secret");
            return grant;
        }
        catch (JsonException)
        {
            throw MailRecoveryException.Usage($"the refresh token store {Path} is damaged.", "sign in again to write a new one.");
        }
    }

    /// <summary>Replaces the file with <paramref name="grant"/>, durably (see the class remarks).</summary>
    /// <exception cref="MailRecoveryException">LocalStorage: the directory cannot be written; the old file is untouched.</exception>
    public async ValueTask SaveAsync(StoredGrant grant, CancellationToken cancellationToken)
    {
        string dir = System.IO.Path.GetDirectoryName(Path)!;
        string temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}.tmp");
        byte[] content = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(grant, AuthJsonContext.Default.StoredGrant));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            await using (var file = new FileStream(temp, options))
            {
                await file.WriteAsync(content, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true); // rename(2): atomic replacement
            DirectorySync.Sync(dir);
            RemoveLeftovers(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (e is OperationCanceledException)
                throw;
            throw new MailRecoveryException(FailureKind.LocalStorage, FailureScope.Account,
                $"cannot save the refresh token store {Path} ({e.Message}).", $"make {dir} writable for this user; the provider may already have replaced the old refresh token, so sign in again if the next run is refused.", e);
        }
    }

    /// <summary>
    /// A warning when the stored refresh token has not been used for <see cref="InactivityLimit"/> minus
    /// <see cref="WarnBefore"/> or longer; null otherwise.
    /// </summary>
    /// <param name="provider">Who ends it, as the warning names it ("Microsoft", "Google").</param>
    /// <param name="limit">That provider's limit; null: <see cref="InactivityLimit"/> (Microsoft's).</param>
    public static string? InactivityWarning(StoredGrant grant, DateTimeOffset now, string provider = "Microsoft", TimeSpan? limit = null)
    {
        TimeSpan inactivityLimit = limit ?? InactivityLimit;
        TimeSpan idle = now - grant.LastUsedUtc;
        if (idle < inactivityLimit - WarnBefore)
            return null;
        DateTimeOffset end = grant.LastUsedUtc + inactivityLimit;
        return end <= now
            ? $"the refresh token was last used {idle.TotalDays:0} days ago; {provider} ends refresh tokens unused for {inactivityLimit.TotalDays:0} days, so it has probably expired: sign in again."
            : $"the refresh token was last used {idle.TotalDays:0} days ago and expires unused on {end.UtcDateTime:yyyy-MM-dd}: run a fetch (or sign in again) before then.";
    }

    /// <summary>
    /// Deletes temporary files that a killed process left (they hold a refresh token too): those named after
    /// this store whose process id is not running. A live process's temporary file is its save in progress.
    /// </summary>
    private void RemoveLeftovers(string dir)
    {
        if (!OperatingSystem.IsLinux())
            return;
        string prefix = $".{System.IO.Path.GetFileName(Path)}.";
        foreach (string file in Directory.EnumerateFiles(dir, prefix + "*.tmp"))
        {
            string[] parts = System.IO.Path.GetFileName(file)[prefix.Length..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], out int pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                TryDelete(file);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
