using System.Text.Json;
using MailRecovery.Core.Errors;

namespace MailRecovery.Cli.Common;

/// <summary>
/// Runs a verb's body and turns what escapes it into the documented exit codes and a short message that names
/// the thing and the fix (the detail is in the log). What nothing classified is a bug, told by <see cref="LastResort"/>.
/// </summary>
internal static class Verb
{
    public static async Task<int> RunAsync(CliContext cli, bool json, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (MailRecoveryException e)
        {
            return Fail(cli, json, e);
        }
        catch (OperationCanceledException)
        {
            cli.Error.WriteLine("interrupted: nothing half-done was kept; the next run resumes.");
            return ExitCodes.TemporaryFailure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            return Fail(cli, json, ErrorClassifier.Classify(e, "archive"));
        }
        catch (Exception e)
        {
            // Last resort: nothing classified it, so it is a bug (see LastResort).
            return LastResort.Report(cli, json, e);
        }
    }

    private static int Fail(CliContext cli, bool json, MailRecoveryException e)
    {
        int code = ExitCodes.For(e);
        cli.Error.WriteLine($"error: {e.UserText}");
        if (json)
        {
            cli.Out.WriteLine(JsonOutput.Serialize(new ErrorJson(false, code, ErrorJson.Detail.Of(e)!)));
        }

        return code;
    }
}
