using System.Diagnostics;
using MailRecovery.Cli;
using MailRecovery.Cli.Common;

namespace MailRecovery.Tests.TestBed;

/// <summary>Runs the CLI in-process (output captured) or as a real process (exit code, signals, memory).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await Program.RunAsync(args, new CliContext(output, error, TimeProvider.System, IsTerminal: false));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Starts <c>dotnet mailrecovery.dll ARGS</c> with extra environment variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Process p = Launch(environment, args);
        p.StandardInput.Close();
        return p;
    }

    /// <summary>Like <see cref="Start"/>, with standard input left open for the test to type into (auth login --paste).</summary>
    public static Process StartInteractive(params string[] args) => Launch(null, args);

    private static Process Launch(IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailrecovery.dll"));
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        return Process.Start(psi)!;
    }
}
