using System.Globalization;

namespace MailRecovery.Core.Errors;

/// <summary>
/// Where the details of a bug go: a private file of its own under the temporary directory, so that the terminal
/// shows one line ("internal error: ... details in FILE") and never a stack trace, and the details survive a
/// daemon's log rotation. The name is unpredictable and the file is created exclusively (no symlink games), 0600.
/// </summary>
public static class InternalErrorDetails
{
    /// <summary>Writes the exception with its stack trace; returns the file's path, or null when it cannot be written.</summary>
    public static string? Write(Exception error, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(clock);
        string path = Path.Combine(Path.GetTempPath(), $"mailrecovery-internal-error-{Guid.NewGuid():N}.log");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MailRecovery internal error at {clock.GetUtcNow():O}"));
            writer.WriteLine($"version: {typeof(InternalErrorDetails).Assembly.GetName().Version}");
            writer.WriteLine(error.ToString());
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The sentence that says where the details are.</summary>
    public static string Where(string? path) => path is null
        ? "the details could not be written to a file; run again with --verbose to see them"
        : $"details in {path}";
}
