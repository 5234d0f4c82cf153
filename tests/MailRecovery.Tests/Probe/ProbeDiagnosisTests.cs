using MailRecovery.Core.Probe;

namespace MailRecovery.Tests.Probe;

public sealed class ProbeDiagnosisTests
{
    private const string Alias = "support@example.co.jp";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly SmtpSubmission Accepted = new(true, null, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Both_delivered_through_the_alias_works_without_findings()
    {
        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, Accepted, Copy(found: true), Primary(found: true), Timeout);

        Assert.Equal(ProbeVerdict.Works, verdict);
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData(false, true, "delivers only to the primary")]
    [InlineData(true, false, "delivers only to the copy")]
    [InlineData(false, false, "neither the copy nor the primary")]
    public void A_missing_mailbox_is_broken_with_its_diagnosis(bool copy, bool primary, string expected)
    {
        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, Accepted, Copy(copy), Primary(primary), Timeout);

        Assert.Equal(ProbeVerdict.Broken, verdict);
        Assert.Contains(expected, Assert.Single(findings).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_primary_only_the_copy_counts()
    {
        Assert.Equal(ProbeVerdict.Works, ProbeDiagnosis.Diagnose(Alias, Accepted, Copy(true), null, Timeout).Verdict);
        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, Accepted, Copy(false), null, Timeout);
        Assert.Equal(ProbeVerdict.Broken, verdict);
        Assert.Contains("the copy account did not get the probe", findings[0].Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(554, "5.7.1 <support@example.co.jp>: Relay access denied", ProbeVerdict.Broken, "relay denied")]
    [InlineData(550, "5.1.1 <support@example.co.jp>: Recipient address rejected", ProbeVerdict.Broken, "refused the recipient")]
    [InlineData(552, "5.2.2 Mailbox full, quota exceeded", ProbeVerdict.Broken, "over quota")]
    [InlineData(450, "4.7.1 greylisted, try again later", ProbeVerdict.CouldNotTell, "deferred")]
    public void An_SMTP_refusal_is_named_and_a_deferral_is_could_not_tell(int code, string text, ProbeVerdict expected, string diagnosis)
    {
        var smtp = new SmtpSubmission(false, code, text, DateTimeOffset.UnixEpoch);

        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, smtp, Copy(false), Primary(false), Timeout);

        Assert.Equal(expected, verdict);
        Assert.Contains(diagnosis, Assert.Single(findings).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_filed_as_junk_in_the_copy_is_broken()
    {
        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, Accepted, Copy(true) with { Folder = "Junk" }, Primary(true), Timeout);

        Assert.Equal(ProbeVerdict.Broken, verdict);
        Assert.Contains("Junk", findings[0].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nearly_full_copy_and_a_route_not_via_the_alias_are_warnings()
    {
        var copy = Copy(true) with { QuotaPercent = 97, DeliveredTo = ["support-copy@example.co.jp"] };

        var (verdict, findings) = ProbeDiagnosis.Diagnose(Alias, Accepted, copy, Primary(true), Timeout);

        Assert.Equal(ProbeVerdict.Works, verdict);
        Assert.Contains(findings, f => f.Problem.Contains("97% full", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Problem.Contains("do not show the alias", StringComparison.Ordinal));
    }

    [Fact]
    public void The_route_check_accepts_the_alias_in_any_delivery_header_case_insensitively()
    {
        Assert.True(ProbeDiagnosis.ViaAlias(Alias, Copy(true) with { DeliveredTo = ["copy@example.co.jp", "SUPPORT@example.co.jp"] }));
        Assert.False(ProbeDiagnosis.ViaAlias(Alias, Copy(true) with { DeliveredTo = ["copy@example.co.jp"] }));
    }

    private static MailboxObservation Copy(bool found) =>
        new("copy", "imap://copy@mx", found, found ? TimeSpan.FromSeconds(1) : null, found ? "INBOX" : null, found ? [Alias, "copy@example.co.jp"] : [], null, null);

    private static MailboxObservation Primary(bool found) =>
        new("primary", "imap://helpdesk@mx", found, found ? TimeSpan.FromSeconds(1) : null, found ? "INBOX" : null, [], null, null);
}
