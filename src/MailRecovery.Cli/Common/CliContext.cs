namespace MailRecovery.Cli.Common;

/// <summary>
/// What a verb writes to and reads the time from. Injectable, so tests can run verbs in-process and read
/// their output.
/// </summary>
/// <param name="In">What the user types (auth login --paste); null: the process's standard input.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, TimeProvider Clock, bool IsTerminal, TextReader? In = null)
{
    /// <summary><see cref="In"/>, or the process's standard input.</summary>
    public TextReader Input => In ?? System.Console.In;

    public static CliContext Console() => new(
        System.Console.Out,
        System.Console.Error,
        TimeProvider.System,
        !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected);
}
