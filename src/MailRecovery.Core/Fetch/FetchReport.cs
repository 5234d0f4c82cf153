using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Fetch;

/// <summary>The outcome of a fetch pass over every account.</summary>
public sealed record FetchReport(IReadOnlyList<AccountReport> Accounts, TimeSpan Elapsed)
{
    public int Fetched => Accounts.Sum(a => a.Fetched);

    public int AlreadyHad => Accounts.Sum(a => a.AlreadyHad);

    public int Failed => Accounts.Sum(a => a.Failed);

    public long Bytes => Accounts.Sum(a => a.Bytes);

    /// <summary>
    /// 0 when everything was fetched; 2 for a configuration problem (including a refused password or an
    /// untrusted certificate); 75 when only temporary failures stopped it; 1 otherwise.
    /// </summary>
    public int ExitCode
    {
        get
        {
            var errors = Accounts.Where(a => a.Error is not null).Select(a => a.Error!).ToList();
            if (errors.Count > 0)
            {
                if (errors.Any(e => ExitCodes.For(e) == ExitCodes.Usage))
                    return ExitCodes.Usage;
                if (errors.All(e => ExitCodes.For(e) == ExitCodes.TemporaryFailure))
                    return ExitCodes.TemporaryFailure;
                return ExitCodes.SomeFailed;
            }

            return Failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Ok;
        }
    }
}
