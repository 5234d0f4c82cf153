namespace MailRecovery.Cli.Config;

/// <summary>The --json report of <c>config check</c>: one entry per endpoint (or IMAP mailbox).</summary>
internal sealed record ConfigCheckJson(bool Ok, int ExitCode, bool Online, IReadOnlyList<ConfigCheckJson.RowJson> Endpoints)
{
    /// <param name="Verdict">"ok", or the failure's kind in lower case ("authentication", "certificate", "usage", "transient", ...).</param>
    internal sealed record RowJson(string Key, string Endpoint, string Verdict, string Detail, string? Fix);
}
