using MailRecovery.Core.Probe;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// Hears what <see cref="WatchRun"/> does between and around passes (metrics). Called on the account's or the
/// probe's task, so several calls may run at once; implementations are thread-safe and never throw.
/// </summary>
public interface IWatchObserver
{
    /// <summary>A pass of <see cref="AccountReport.Account"/> ended at <paramref name="at"/>; <see cref="AccountReport.Error"/> is null for a successful one.</summary>
    void PassFinished(AccountReport report, DateTimeOffset at);

    /// <summary>The account's IMAP IDLE connection was armed (<paramref name="active"/>) or dropped (polling until it is armed again).</summary>
    void IdleChanged(string account, bool active);

    /// <summary>A scheduled alias check ended at <paramref name="at"/> (recorded in the index before this call).</summary>
    void ProbeFinished(ProbeReport report, DateTimeOffset at);
}
