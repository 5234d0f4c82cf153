using System.ComponentModel;
using System.Diagnostics;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Runs a command whose standard output's first line is the access token (mbsync's <c>PassCmd</c>, imapsync's
/// <c>--oauthaccesstoken</c> helpers): split into argv by <see cref="CommandLineSplitter"/> and run without a
/// shell, stdin closed, killed (with its children) after <see cref="Timeout"/>. A failure reports the exit code
/// and the first part of standard error, never standard output (it may hold a token).
/// </summary>
public sealed class TokenCommandSource(string command, TimeSpan? timeout = null) : IAccessTokenSource
{
    private const int StandardErrorShown = 400;

    private readonly IReadOnlyList<string> argv = CommandLineSplitter.Split(command);

    /// <summary>How long the command may run.</summary>
    /// <value>The default is 30 seconds: a helper that refreshes its token over the network needs a few.</value>
    public TimeSpan Timeout { get; } = timeout ?? TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    /// <remarks>The command is run on every call; a helper that caches does so itself.</remarks>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in argv.Skip(1))
            psi.ArgumentList.Add(a);

        using Process process = Start(psi);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Account,
                $"the token command {argv[0]} did not finish within {Timeout.TotalSeconds:0} s and was stopped.",
                "run it by hand to see what it waits for (a prompt, the network); it must print the token and exit.");
        }

        string output = await stdout;
        string errors = await stderr;
        if (process.ExitCode != 0)
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"the token command {argv[0]} failed (exit code {process.ExitCode}){Excerpt(errors)}.",
                "run it by hand; it must print a valid access token on its first line and exit 0.");
        }

        int end = output.IndexOfAny(['\r', '\n']);
        string token = (end < 0 ? output : output[..end]).Trim();
        if (token.Length == 0)
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"the token command {argv[0]} printed no token{Excerpt(errors)}.", "it must print the access token on the first line of its standard output.");
        }

        return new AccessToken(token, JwtClaims.ExpiryOf(token));
    }

    private Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new Win32Exception("no process started");
        }
        catch (Win32Exception e)
        {
            throw MailRecoveryException.Usage($"cannot run the token command {argv[0]} ({e.Message}).", "give the program's full path, and check it is executable.");
        }
    }

    private static string Excerpt(string stderr)
    {
        string text = string.Join(' ', stderr.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (text.Length == 0)
            return "";
        return ": " + (text.Length > StandardErrorShown ? text[..StandardErrorShown] + "…" : text);
    }
}
