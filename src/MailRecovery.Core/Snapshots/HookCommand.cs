using System.Diagnostics;
using System.Text;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// Runs <c>--before</c> and <c>--after</c>: the command line is split into words the way a shell splits them
/// (single and double quotes, backslash), but no shell runs it; an admin who wants one writes
/// <c>sh -c '…'</c>. Its output goes to our stderr. A command that exits non-zero or outlives its timeout is a failure.
/// </summary>
public static class HookCommand
{
    /// <exception cref="MailRecoveryException">Permanent: it failed, timed out or could not be started.</exception>
    public static async Task RunAsync(string option, string commandLine, TimeSpan timeout, TextWriter log, CancellationToken ct)
    {
        IReadOnlyList<string> words = Split(commandLine, option);
        var psi = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string w in words.Skip(1))
            psi.ArgumentList.Add(w);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run, $"{option} could not start '{words[0]}': {e.Message}.", $"check the command given to {option} (it runs without a shell; write sh -c '…' for one).");
        }

        using (process)
        {
            process.StandardInput.Close();
            Task pumpOut = Pump(process.StandardOutput, log, option);
            Task pumpErr = Pump(process.StandardError, log, option);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                if (ct.IsCancellationRequested)
                    throw;
                throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run, $"{option} did not finish within {timeout.TotalSeconds:0} s and was killed.", "make it faster, or raise --hook-timeout.");
            }

            await Task.WhenAll(pumpOut, pumpErr);
            if (process.ExitCode != 0)
                throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run, $"{option} exited with {process.ExitCode}.", $"see its output above; run the command by hand to check it.");
        }
    }

    /// <summary>Shell-like word splitting without expansion.</summary>
    /// <exception cref="MailRecoveryException">Usage: empty, or a quote is not closed.</exception>
    public static IReadOnlyList<string> Split(string text, string option)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                    quote = '\0';
                else
                    word.Append(c);
            }
            else if (quote == '"')
            {
                if (c == '"')
                    quote = '\0';
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                    word.Append(text[++i]);
                else
                    word.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else
            {
                word.Append(c);
            }

            inWord = true;
        }

        if (quote != '\0')
            throw MailRecoveryException.Usage($"{option}: a {quote} quote is not closed.", "close the quote.");
        if (inWord)
            words.Add(word.ToString());
        return words.Count > 0 ? words : throw MailRecoveryException.Usage($"{option} is empty.", "give the command to run.");
    }

    private static async Task Pump(StreamReader from, TextWriter log, string option)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (log)
                log.WriteLine($"{option}: {line}");
        }
    }
}
