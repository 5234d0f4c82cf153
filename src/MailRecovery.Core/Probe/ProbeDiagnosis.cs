namespace MailRecovery.Core.Probe;

/// <summary>
/// Turns what was observed into a verdict and plain-language findings, each with the likely fix. Pure logic:
/// every rule is unit-tested.
/// </summary>
public static class ProbeDiagnosis
{
    /// <summary>A copy mailbox at least this full is reported as (nearly) over quota.</summary>
    public const int QuotaWarningPercent = 95;

    public static (ProbeVerdict Verdict, List<ProbeFinding> Findings) Diagnose(string alias, SmtpSubmission smtp, MailboxObservation copy, MailboxObservation? primary, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(copy);
        var findings = new List<ProbeFinding>();
        if (!smtp.Accepted)
        {
            findings.Add(Refused(alias, smtp));

            // A 4xx is "not now" (busy, greylisting): nothing is known about the alias yet.
            return (smtp.ReplyCode is >= 400 and < 500 ? ProbeVerdict.CouldNotTell : ProbeVerdict.Broken, findings);
        }

        bool primaryChecked = primary is not null;
        bool primaryGot = primary?.Found == true;
        string wait = $"{timeout.TotalSeconds:0} s";

        if (copy.Found && copy.Folder is not null && IsJunk(copy.Folder))
            findings.Add(new ProbeFinding($"the probe reached the copy account but was filed in its {copy.Folder} folder.", "a spam filter is treating the alias's mail as junk: exempt the copy account (or the alias) from filtering, or MailRecovery will miss mail that lands there."));
        if (primaryGot && primary!.Folder is not null && IsJunk(primary.Folder))
            findings.Add(new ProbeFinding($"the probe reached the primary account but was filed in its {primary.Folder} folder.", "exempt the helpdesk account from spam filtering, or the helpdesk will miss mail."));

        if (!copy.Found && primaryChecked && primaryGot)
            findings.Add(new ProbeFinding($"the alias {alias} delivers only to the primary account: the copy did not get the probe within {wait}.", $"add the copy account to the alias (Postfix: the virtual_alias_maps line for {alias} must list both addresses), then run this check again."));
        else if (copy.Found && primaryChecked && !primaryGot)
            findings.Add(new ProbeFinding($"the alias {alias} delivers only to the copy account: the primary (the helpdesk) did not get the probe within {wait}.", $"urgent: the helpdesk is not receiving mail. Put the primary account back into the alias {alias}."));
        else if (!copy.Found && (!primaryChecked || !primaryGot))
            findings.Add(new ProbeFinding(primaryChecked
                    ? $"neither the copy nor the primary account got the probe within {wait}, though the SMTP server accepted it."
                    : $"the copy account did not get the probe within {wait}, though the SMTP server accepted it.",
                "look at the mail server's queue and log (Postfix: mailq, and the log lines for the probe's Message-ID); the alias may be missing or delivery deferred. Run again with a longer --timeout if the server is slow."));

        if (copy.QuotaPercent is int full && full >= QuotaWarningPercent)
            findings.Add(new ProbeFinding($"the copy mailbox is {full}% full (IMAP QUOTA).", "raise the copy account's quota, or let MailRecovery delete what it archived (policy delete or delete-older-than:DAYS)."));

        if (copy.Found && !ViaAlias(alias, copy))
            findings.Add(new ProbeFinding($"the copy's headers do not show the alias {alias} as a recipient (Delivered-To / X-Original-To / Received … for <…>); it may have arrived by another route.", "check that the copy is fed by the alias and not by a forward or a second submission."));

        // Quota and route findings are warnings: the probe did arrive. A copy that files mail as junk is broken:
        // MailRecovery reads one mailbox, and the helpdesk's mail must land there.
        bool broken = !copy.Found || (primaryChecked && !primaryGot) || (copy.Folder is not null && IsJunk(copy.Folder));
        return (broken ? ProbeVerdict.Broken : ProbeVerdict.Works, findings);
    }

    /// <summary>The copy's delivery headers name the alias: it was expanded by the server, not sent there directly.</summary>
    public static bool ViaAlias(string alias, MailboxObservation copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return copy.DeliveredTo.Any(a => string.Equals(a, alias, StringComparison.OrdinalIgnoreCase));
    }

    private static ProbeFinding Refused(string alias, SmtpSubmission smtp)
    {
        string reply = $"{smtp.ReplyCode} {smtp.ReplyText}".Trim();
        string text = smtp.ReplyText ?? string.Empty;
        if (text.Contains("relay", StringComparison.OrdinalIgnoreCase) || text.Contains("5.7.1", StringComparison.Ordinal))
            return new ProbeFinding($"the SMTP server refused the probe for {alias}: relay denied ({reply}).", "send the probe through the server that receives mail for the alias's domain, or let this host submit mail (authenticate with --smtp-password-file, or add it to the server's trusted networks).");
        if (smtp.ReplyCode is >= 400 and < 500)
            return new ProbeFinding($"the SMTP server deferred the probe for {alias} ({reply}).", "the server is busy or greylisting: run the check again in a few minutes.");
        if (text.Contains("quota", StringComparison.OrdinalIgnoreCase) || text.Contains("5.2.2", StringComparison.Ordinal))
            return new ProbeFinding($"the SMTP server refused the probe: a mailbox behind {alias} is over quota ({reply}).", "raise the quota of the copy account or free space in it.");
        return new ProbeFinding($"the SMTP server refused the recipient {alias} ({reply}).", $"check that the alias {alias} exists on the mail server (Postfix: virtual_alias_maps) and is spelled right.");
    }

    private static bool IsJunk(string folder) =>
        folder.Contains("junk", StringComparison.OrdinalIgnoreCase) || folder.Contains("spam", StringComparison.OrdinalIgnoreCase);
}
