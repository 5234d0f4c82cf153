using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Proves the alias: submits a probe through SMTP to the alias address and waits until it appears in the copy
/// account and, when given, the primary account, reading both without disturbing them. Reports per mailbox
/// (delivered with latency, not seen in time, refused at SMTP) with a plain-language diagnosis.
/// </summary>
public sealed partial class AliasVerifyRun
{
    private readonly AliasVerifyOptions options;
    private readonly TimeProvider clock;

    public AliasVerifyRun(AliasVerifyOptions options, TimeProvider clock)
    {
        this.options = options;
        this.clock = clock;
    }

    public async Task<ProbeReport> RunAsync(CancellationToken cancellationToken)
    {
        string token = ProbeMessage.NewToken();
        var notes = new List<string>();
        await using IProbeWatcher copy = Watcher(options.Copy, options.CopyCredentials, options.Trust);
        await using IProbeWatcher? primary = options.Primary is null ? null : Watcher(options.Primary, options.PrimaryCredentials ?? options.CopyCredentials, options.PrimaryTrust ?? options.Trust);

        try
        {
            await copy.ConnectAsync(cancellationToken);
            if (primary is not null)
                await primary.ConnectAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, "watching the mailboxes");
            if (error.Kind is FailureKind.Authentication or FailureKind.Certificate or FailureKind.Usage)
                throw error;
            return CouldNotTell(token, options.Alias, error, notes);
        }

        SmtpSubmission smtp;
        try
        {
            smtp = await SubmitAsync(token, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, $"SMTP {options.Smtp}");
            if (error.Kind is FailureKind.Authentication or FailureKind.Certificate or FailureKind.Usage)
                throw error;
            return CouldNotTell(token, options.Alias, error, notes);
        }

        try
        {
            return await WatchAsync(token, smtp, copy, primary, notes, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            // A server restarted or a connection dropped while waiting: the alias may be fine; nothing is known.
            return CouldNotTell(token, options.Alias, ErrorClassifier.Classify(e, "watching the mailboxes"), notes);
        }
    }

    private async Task<ProbeReport> WatchAsync(string token, SmtpSubmission smtp, IProbeWatcher copy, IProbeWatcher? primary, List<string> notes, CancellationToken cancellationToken)
    {
        MailboxObservation copyResult = new("copy", options.Copy.ToString(), false, null, null, [], null, null);
        MailboxObservation? primaryResult = options.Primary is null ? null : new("primary", options.Primary.ToString(), false, null, null, [], null, null);
        ProbeSighting? copySeen = null, primarySeen = null;
        ProbeCleanupOutcome? outcome = null;
        if (smtp.Accepted)
        {
            long start = clock.GetTimestamp();
            while (clock.GetElapsedTime(start) < options.Timeout && (copySeen is null || (primary is not null && primarySeen is null)))
            {
                if (copySeen is null && (copySeen = await copy.LookAsync(token, cancellationToken)) is not null)
                    copyResult = Seen("copy", options.Copy, copySeen, smtp.SentAt);
                if (primary is not null && primarySeen is null && (primarySeen = await primary.LookAsync(token, cancellationToken)) is not null)
                {
                    primaryResult = Seen("primary", options.Primary!, primarySeen, smtp.SentAt);

                    // At once, not after the copy: every second it waits there, the helpdesk may make a ticket of it.
                    outcome = options.CleanupPrimary ? await CleanPrimaryAsync(primary, primarySeen, token, notes, cancellationToken) : ProbeCleanupOutcome.Left;
                }

                if (copySeen is null || (primary is not null && primarySeen is null))
                    await Task.Delay(options.PollInterval, clock, cancellationToken);
            }

            // Reached the copy, never seen in the primary: taken within a look's interval, or never delivered there.
            if (primary is not null && primarySeen is null && copySeen is not null)
                outcome = ProbeCleanupOutcome.NeverSeen;
        }

        copyResult = copyResult with { QuotaPercent = await TryQuotaAsync(copy, cancellationToken) };
        (ProbeVerdict verdict, List<ProbeFinding> findings) = ProbeDiagnosis.Diagnose(options.Alias, smtp, copyResult, primaryResult, options.Timeout);

        if (options.Cleanup && copySeen is not null)
            await copy.RemoveAsync(copySeen, token, cancellationToken);
        if (outcome == ProbeCleanupOutcome.Left)
            notes.Add("the probe was left in the primary account for the helpdesk: --cleanup (probe.cleanupPrimary) removes it there as soon as it is seen.");

        return new ProbeReport(token, options.Alias, smtp, copyResult, primaryResult, verdict, findings, notes) { PrimaryCleanup = outcome };
    }

    /// <summary>Removes the probe from the primary; a failure is a note and an outcome, never the check's result.</summary>
    private async Task<ProbeCleanupOutcome> CleanPrimaryAsync(IProbeWatcher primary, ProbeSighting seen, string token, List<string> notes, CancellationToken cancellationToken)
    {
        try
        {
            if (options.BeforePrimaryCleanup is { } hook)
                await hook(cancellationToken);
            ProbeRemoval removal = await primary.RemoveAsync(seen, token, cancellationToken);
            if (seen.Taken || removal == ProbeRemoval.Gone)
            {
                notes.Add("the helpdesk took the probe from the primary account before cleanup could: it may have become a ticket (a filter rule on the X-MailRecovery-Probe header stops that; see docs/probes.md).");
                return ProbeCleanupOutcome.TakenFirst;
            }

            if (removal == ProbeRemoval.MarkedDeleted)
            {
                notes.Add("the primary's IMAP server has no UIDPLUS: the probe was marked \\Deleted and \\Seen there, not expunged (an EXPUNGE would also remove other messages marked \\Deleted).");
                return ProbeCleanupOutcome.MarkedDeleted;
            }

            notes.Add("the probe was removed from the primary account as soon as it was seen there.");
            return ProbeCleanupOutcome.Removed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, "removing the probe from the primary");
            notes.Add($"the probe could not be removed from the primary account and may become a ticket: {error.Message}");
            return ProbeCleanupOutcome.Failed;
        }
    }

    private static IProbeWatcher Watcher(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust) =>
        endpoint.Protocol == MailProtocol.Imap
            ? new ImapProbeWatcher(endpoint, credentials, trust)
            : new Pop3ProbeWatcher(endpoint, credentials, trust);

    private async Task<SmtpSubmission> SubmitAsync(string token, CancellationToken cancellationToken)
    {
        MailboxAddress alias = MailboxAddress.Parse(options.Alias);
        string from = options.From ?? $"mailrecovery-probe@{alias.Domain}";
        using MimeMessage message = ProbeMessage.Create(token, MailboxAddress.Parse(from), alias, clock.GetUtcNow());
        using SmtpClient smtp = await SmtpConnector.ConnectAsync(options.Smtp, options.SmtpCredentials, options.Trust, cancellationToken);

        DateTimeOffset sentAt = clock.GetUtcNow();
        try
        {
            await smtp.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            return new SmtpSubmission(false, (int)e.StatusCode, e.Message, sentAt);
        }

        await smtp.DisconnectAsync(true, cancellationToken);
        return new SmtpSubmission(true, null, null, sentAt);
    }

    private MailboxObservation Seen(string role, SourceEndpoint endpoint, ProbeSighting sighting, DateTimeOffset sentAt)
    {
        var routes = new List<string>();
        foreach (var header in sighting.Headers)
        {
            if (header.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) || header.Field.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase))
                routes.Add(header.Value.Trim().Trim('<', '>'));
            else if (header.Field.Equals("Received", StringComparison.OrdinalIgnoreCase))
                routes.AddRange(ReceivedFor().Matches(header.Value).Select(m => m.Groups[1].Value));
        }

        return new MailboxObservation(role, endpoint.ToString(), true, clock.GetUtcNow() - sentAt, sighting.Folder, routes.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), null, null);
    }

    private static async Task<int?> TryQuotaAsync(IProbeWatcher watcher, CancellationToken cancellationToken)
    {
        try
        {
            return await watcher.QuotaPercentAsync(cancellationToken);
        }
        catch (Exception e) when (e is MailKit.Net.Imap.ImapCommandException or NotSupportedException)
        {
            return null; // no QUOTA for this mailbox: nothing to report
        }
    }

    private static ProbeReport CouldNotTell(string token, string alias, MailRecoveryException error, List<string> notes) =>
        new(token, alias, null, null, null, ProbeVerdict.CouldNotTell, [new ProbeFinding(error.Message, error.Fix ?? "try again later.")], notes);

    /// <summary>The "for &lt;address&gt;" clause of a Received: header (RFC 5321 §4.4).</summary>
    [GeneratedRegex(@"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", RegexOptions.IgnoreCase)]
    private static partial Regex ReceivedFor();
}
