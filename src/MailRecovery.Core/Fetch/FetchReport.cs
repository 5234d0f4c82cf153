using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Fetch;

/// <summary>The outcome of a fetch pass over every account.</summary>
public sealed record FetchReport(IReadOnlyList<AccountReport> Accounts, TimeSpan Elapsed)
{
    public int Fetched => Accounts.Sum(a => a.Fetched);

    public int AlreadyHad => Accounts.Sum(a => a.AlreadyHad);

    public int Failed => Accounts.Sum(a => a.Failed);

    public int Vanished => Accounts.Sum(a => a.Vanished);

    public long Bytes => Accounts.Sum(a => a.Bytes);

    public int Repaired => Accounts.Sum(a => a.Repaired);

    public int Lost => Accounts.Sum(a => a.Lost.Count);

    /// <summary>
    /// 0 when everything was fetched; 2 for a configuration problem (including a refused password or an
    /// untrusted certificate); 1 when a message failed or an archived message is lost (its file is missing
    /// or damaged and no server has it any more); 75 when only temporary failures stopped it; 1 otherwise.
    /// </summary>
    public int ExitCode
    {
        get
        {
            // The most actionable code wins: a configuration mistake, then lost messages, then "try later".
            var codes = Accounts.Where(a => a.Error is not null).Select(a => ExitCodes.For(a.Error!)).ToList();
            if (Failed > 0 || Lost > 0)
                codes.Add(ExitCodes.SomeFailed);
            if (codes.Contains(ExitCodes.Usage))
                return ExitCodes.Usage;
            if (codes.Contains(ExitCodes.SomeFailed))
                return ExitCodes.SomeFailed;
            return codes.Count > 0 ? ExitCodes.TemporaryFailure : ExitCodes.Ok;
        }
    }
}
