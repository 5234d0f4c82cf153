using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>pipe:COMMAND</c>: runs <c>/bin/sh -c COMMAND</c> once per message with the exact archived bytes on
/// stdin, the way RT (rt-mailgate), Znuny/OTRS (otrs.PostMaster.pl), Zammad and osTicket take mail. The exit
/// status follows sendmail/sysexits(3): 0 delivered, 75 (EX_TEMPFAIL) try again later, anything else failed.
/// </summary>
/// <remarks>
/// The command also gets the message's metadata in environment variables: <c>MAILRECOVERY_FILE</c> (the
/// archived file), <c>MAILRECOVERY_SHA256</c>, <c>MAILRECOVERY_SIZE</c> (bytes), <c>MAILRECOVERY_MESSAGE_ID</c>
/// (without angle brackets), <c>MAILRECOVERY_FROM</c>, <c>MAILRECOVERY_SUBJECT</c>, <c>MAILRECOVERY_RECEIVED</c>
/// (ISO 8601, UTC) and <c>MAILRECOVERY_RECEIVED_SOURCE</c> (<c>received-header</c>, <c>internaldate</c> or
/// <c>fetch-time</c>); a missing value is the empty string, and line breaks become spaces. Inherited
/// <c>MAILRECOVERY_*</c> variables (configuration, passwords) are removed.
/// A command cannot be asked whether it already has a message, so a delivery whose outcome was lost is
/// reported Unknown and not re-run unless the user says so.
/// </remarks>
public sealed class PipeTarget : IReplayTarget
{
    private const string Shell = "/bin/sh";

    // sysexits(3) and POSIX sh: 75 EX_TEMPFAIL; 126 found but not executable; 127 not found; 128+n killed by signal n.
    private const int TempFail = 75;
    private const int NotExecutable = 126;
    private const int NotFound = 127;
    private const int SignalBase = 128;
    private const int StderrTailChars = 2000;
    private const int StderrTailLines = 5;

    private readonly TimeProvider clock;

    /// <param name="timeout">How long one run of the command may take; the default is 10 minutes.</param>
    public PipeTarget(string command, TimeProvider clock, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command;
        this.clock = clock;
        Timeout = timeout ?? DefaultTimeout;
        Description = $"pipe:{command}";
        JournalKey = $"pipe:{command}";
    }

    /// <summary>The per-message time limit when none is given: 10 minutes.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The shell command, as given after <c>pipe:</c>.</summary>
    public string Command { get; }

    /// <summary>How long one run of the command may take before it is killed and the outcome is Uncertain.</summary>
    public TimeSpan Timeout { get; }

    public string Description { get; }

    public string JournalKey { get; }

    public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A constant, non-null token: its only meaning is "the command may have been started", which is all
    /// <see cref="CheckAsync"/> needs to tell a lost outcome from no delivery at all.
    /// </summary>
    public string? Checkpoint(ReplayItem item) => "started";

    /// <summary>Unknown after a lost outcome (the command may have taken the message); Absent otherwise.</summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(checkpoint is null ? Presence.Absent : Presence.Unknown);

    /// <summary>Runs the command with the message on stdin and returns when it exited 0.</summary>
    /// <exception cref="DeliveryException">
    /// TryLater on exit 75; Failed on any other exit status (with the last lines of stderr), or when the
    /// command cannot be found or run; Uncertain when it was killed by a signal, timed out, or was stopped
    /// because the run was cancelled.
    /// </exception>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = StartInfo(item) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new DeliveryException(DeliveryOutcome.Failed, $"{Description}: cannot start {Shell} ({e.Message}).", e);
        }

        var stderr = new StringBuilder();
        Task readErr = KeepTailAsync(process.StandardError, stderr);
        Task readOut = KeepTailAsync(process.StandardOutput, new StringBuilder());

        using var timeout = new CancellationTokenSource(Timeout, clock);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        // Killing is what unblocks a write to a command that stopped reading and a wait for one that hangs.
        using CancellationTokenRegistration kill = stop.Token.Register(() => Kill(process));
        try
        {
            await using (Stream source = item.OpenRead())
            {
                try
                {
                    await source.CopyToAsync(process.StandardInput.BaseStream, stop.Token);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // EPIPE: the command exited or closed stdin early. Its exit status says what that meant.
                }
            }

            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException e)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            string why = cancellationToken.IsCancellationRequested
                ? "the run was cancelled"
                : $"it did not finish within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
            throw new DeliveryException(DeliveryOutcome.Uncertain,
                $"{Description}: the command was killed because {why}; it may have taken the message.", e);
        }

        // A background child may hold stderr open after the command exited: do not wait for it for long.
        await Task.WhenAny(Task.WhenAll(readErr, readOut), Task.Delay(TimeSpan.FromSeconds(2), clock, CancellationToken.None));
        int exit = process.ExitCode;
        string errors = LastLines(stderr);
        switch (exit)
        {
            case 0:
                return;
            case TempFail:
                throw new DeliveryException(DeliveryOutcome.TryLater, $"{Description}: the command asked to try again later (exit 75, EX_TEMPFAIL){errors}");
            case NotFound:
                throw new DeliveryException(DeliveryOutcome.Failed, $"{Description}: the command '{FirstWord(Command)}' was not found (exit 127){errors}");
            case NotExecutable:
                throw new DeliveryException(DeliveryOutcome.Failed, $"{Description}: the command '{FirstWord(Command)}' cannot be executed (exit 126){errors}");
            case > SignalBase and <= SignalBase + 64:
                throw new DeliveryException(DeliveryOutcome.Uncertain,
                    $"{Description}: the command was killed by signal {exit - SignalBase}; it may have taken the message{errors}");
            default:
                throw new DeliveryException(DeliveryOutcome.Failed, $"{Description}: the command failed with exit status {exit}{errors}");
        }
    }

    /// <summary>Nothing to finish: each message was handed over when its command exited 0.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private ProcessStartInfo StartInfo(ReplayItem item)
    {
        var psi = new ProcessStartInfo(Shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Command);

        // Our own variables carry configuration and passwords (MAILRECOVERY_PASSWORD, …): a helpdesk command
        // gets only the message's.
        foreach (string inherited in psi.Environment.Keys.Where(k => k.StartsWith("MAILRECOVERY_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(inherited);
        MessageMetadata m = item.Message.Metadata;
        psi.Environment["MAILRECOVERY_FILE"] = item.Path;
        psi.Environment["MAILRECOVERY_SHA256"] = item.Message.Sha256;
        psi.Environment["MAILRECOVERY_SIZE"] = item.ContentLength.ToString(CultureInfo.InvariantCulture);
        psi.Environment["MAILRECOVERY_MESSAGE_ID"] = OneLine(m.MessageId);
        psi.Environment["MAILRECOVERY_FROM"] = OneLine(m.From);
        psi.Environment["MAILRECOVERY_SUBJECT"] = OneLine(m.Subject);
        psi.Environment["MAILRECOVERY_RECEIVED"] = m.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        psi.Environment["MAILRECOVERY_RECEIVED_SOURCE"] = ArchiveIndex.ReceivedSourceName(m.ReceivedSource);
        return psi;
    }

    /// <summary>Environment values cannot hold NUL, and line breaks would trip line-based scripts.</summary>
    private static string OneLine(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return string.Empty;
        var sb = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c == '\0')
                continue;
            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.ToString();
    }

    private static string FirstWord(string command) =>
        command.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries) is [var first, ..] ? first : command;

    /// <summary>Reads a stream to its end, keeping only its last characters (the stream may be huge).</summary>
    private static async Task KeepTailAsync(StreamReader reader, StringBuilder tail)
    {
        char[] buffer = new char[4096];
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                lock (tail)
                {
                    tail.Append(buffer, 0, n);
                    if (tail.Length > StderrTailChars)
                        tail.Remove(0, tail.Length - StderrTailChars);
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process: what was read is what there is.
        }
        catch (ObjectDisposedException)
        {
            // The process was disposed while a background child still held the pipe.
        }
    }

    /// <summary>": " and the last lines of stderr, for the user; "." when it printed nothing.</summary>
    private static string LastLines(StringBuilder tail)
    {
        string text;
        lock (tail)
            text = tail.ToString();
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "." : ": " + string.Join(" | ", lines[Math.Max(0, lines.Length - StderrTailLines)..]);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Gone between the check and the signal.
        }
    }
}
