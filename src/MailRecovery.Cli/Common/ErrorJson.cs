using MailRecovery.Core.Errors;

namespace MailRecovery.Cli.Common;

/// <summary>The --json report of a run that failed as a whole.</summary>
internal sealed record ErrorJson(bool Ok, int ExitCode, ErrorJson.Detail Error)
{
    /// <summary>What failed, in the words of <see cref="MailRecoveryException"/>.</summary>
    internal sealed record Detail(string Kind, string Message, string? Fix)
    {
        public static Detail? Of(MailRecoveryException? e) => e is null ? null : new(e.Kind.ToString(), e.Message, e.Fix);
    }
}
