namespace MailRecovery.Cli.Common;

/// <summary>
/// What a verb writes to and reads the time from. Injectable, so tests can run verbs in-process and read
/// their output.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, TimeProvider Clock, bool IsTerminal)
{
    public static CliContext Console() => new(
        System.Console.Out,
        System.Console.Error,
        TimeProvider.System,
        !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected);
}
