using MailRecovery.Core.Errors;

namespace MailRecovery.Cli.Common;

/// <summary>
/// The last resort for what no adapter classified: a bug. One line on the terminal ("internal error: ... details
/// in FILE"), the stack trace in that file (<see cref="InternalErrorDetails"/>), exit 1; never a stack trace on
/// the terminal.
/// </summary>
internal static class LastResort
{
    public static int Report(CliContext cli, bool json, Exception error)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(error);
        string where = InternalErrorDetails.Where(InternalErrorDetails.Write(error, cli.Clock));
        string text = $"internal error: {error.GetType().Name}: {OneLine(error.Message)}; {where}.";
        const string Fix = "this is a bug in MailRecovery: please report it with that file. What was finished is kept; the next run resumes.";
        cli.Error.WriteLine(text);
        cli.Error.WriteLine($"  fix: {Fix}");
        if (json)
            cli.Out.WriteLine(JsonOutput.Serialize(new ErrorJson(false, ExitCodes.SomeFailed, new ErrorJson.Detail(nameof(FailureKind.Internal), text, Fix))));
        return ExitCodes.SomeFailed;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").TrimEnd('.');
}
