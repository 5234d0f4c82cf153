namespace MailRecovery.Core.Alerts;

/// <summary>
/// The first thing to do about each status condition, for alerts read on a phone: the reason says what holds, this
/// says where to look. The commands are those of the shipped units (contrib/systemd).
/// </summary>
public static class ConditionFixes
{
    public static string For(string condition) => condition switch
    {
        "watch-not-running" => "start it: systemctl start mailrecovery-watch; read why it stopped: journalctl -u mailrecovery-watch.",
        "account-failing" => "read the error in the reason (password changed? certificate? server down?); fix it in the configuration or on the server; watch retries by itself.",
        "account-stale" => "check that the account is in the configuration watch runs with, then restart watch: systemctl restart mailrecovery-watch.",
        "quiet" => "send a test mail to the alias (mailrecovery alias verify --config ...); check that the copy account still receives mail and that watch runs.",
        "nothing-archived" => "check that watch runs and that the copy account receives mail (mailrecovery alias verify --config ...).",
        "probe-failed" => "run mailrecovery alias verify --config ... and follow its findings: the alias may no longer deliver to the copy account.",
        "probe-overdue" => "check that watch runs with a probe section in its configuration: journalctl -u mailrecovery-watch.",
        "helpdesk-not-pulling" => "check the helpdesk: is it still fetching its mailbox? Its mail is safe in the archive meanwhile.",
        "helpdesk-not-observed" => "check that watch runs and can log in to the helpdesk's account (the account's primary section).",
        _ => "run mailrecovery status --config ... and read its warnings.",
    };
}
