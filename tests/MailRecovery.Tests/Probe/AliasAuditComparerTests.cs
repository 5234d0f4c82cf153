using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe.Audit;

namespace MailRecovery.Tests.Probe;

/// <summary>The comparison rule of <c>alias audit</c>, on in-memory lists.</summary>
public sealed class AliasAuditComparerTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = Since.AddDays(1);
    private static readonly AliasAuditOptions Options = new(Since, Until);

    private static AuditMessage M(string? id, DateTimeOffset at, string subject = "s") => new(id, at, "a@example.org", subject);

    /// <summary>Each archived Message-ID names one message, fingerprint "fp-" + id; copy messages carry theirs.</summary>
    private static AliasAuditReport Compare(AuditMessage[] primary, AuditMessage[] copy, params string[] archived)
    {
        var byId = archived.ToDictionary(id => id, id => new HashSet<string>(StringComparer.Ordinal) { $"fp-{id}" }, StringComparer.Ordinal);
        AuditMessage[] fingerprinted = copy.Select(m => AuditMessage.NormalizeId(m.MessageId) is string id ? m with { Fingerprint = $"fp-{id}" } : m).ToArray();
        return AliasAuditComparer.Compare("test", Options, primary, fingerprinted, Archived(byId), primaryReadsWhole: false);
    }

    private static ArchivedIdentities Archived(Dictionary<string, HashSet<string>> byId, params string[] alsoKnown) =>
        new(byId, byId.Values.SelectMany(f => f).Concat(alsoKnown).ToHashSet(StringComparer.Ordinal));

    private static AuditMessage F(AuditMessage m, string fingerprint) => m with { Fingerprint = fingerprint };

    [Fact]
    public void Same_messages_on_both_sides_is_clean_and_exits_0()
    {
        var report = Compare([M("a@x", Since.AddHours(1)), M("b@x", Since.AddHours(2))], [M("a@x", Since.AddHours(1)), M("b@x", Since.AddHours(2))], "a@x", "b@x");

        Assert.Empty(report.PrimaryOnly);
        Assert.Empty(report.CopyOnly);
        Assert.Equal(2, report.Matched);
        Assert.Equal(ExitCodes.Ok, report.ExitCode);
    }

    [Fact]
    public void A_primary_message_of_the_window_missing_from_the_archive_is_primary_only()
    {
        var report = Compare([M("a@x", Since.AddHours(1)), M("<lost@x>", Since.AddHours(3), "lost")], [M("a@x", Since.AddHours(1))], "a@x");

        AuditMessage lost = Assert.Single(report.PrimaryOnly);
        Assert.Equal("lost@x", lost.MessageId);
        Assert.Equal("lost", lost.Subject);
        Assert.Empty(report.CopyOnly);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
    }

    [Fact]
    public void A_primary_message_archived_outside_the_window_is_not_missing()
    {
        // The copy's Received: said 23:59:59 the day before; the primary's INTERNALDATE says 00:00:01.
        var report = Compare([M("edge@x", Since.AddSeconds(1))], [], "edge@x");

        Assert.Empty(report.PrimaryOnly);
        Assert.Equal(1, report.Matched);
    }

    [Fact]
    public void A_copy_message_whose_primary_time_is_just_outside_the_window_is_not_copy_only()
    {
        // The listing covers the margin: the primary saw it a second before the window starts.
        var report = Compare([M("edge@x", Since.AddSeconds(-1))], [M("edge@x", Since.AddSeconds(1))]);

        Assert.Empty(report.CopyOnly);
        Assert.Empty(report.PrimaryOnly); // outside the window on the primary's clock: not judged
        Assert.Equal(0, report.PrimaryInWindow);
    }

    [Fact]
    public void A_copy_message_of_the_window_the_primary_lacks_is_copy_only()
    {
        var report = Compare([M("a@x", Since.AddHours(1))], [M("a@x", Since.AddHours(1)), M("gone@x", Since.AddHours(5), "gone")], "a@x", "gone@x");

        Assert.Equal("gone@x", Assert.Single(report.CopyOnly).MessageId);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
    }

    [Fact]
    public void The_window_includes_its_start_and_excludes_its_end()
    {
        var report = Compare([M("start@x", Since), M("end@x", Until)], []);

        Assert.Equal(["start@x"], report.PrimaryOnly.Select(m => m.MessageId));
        Assert.Equal(1, report.PrimaryInWindow);
    }

    [Fact]
    public void Messages_without_a_Message_ID_are_counted_not_listed_and_do_not_fail_the_audit()
    {
        var report = Compare([M(null, Since.AddHours(1)), M("  ", Since.AddHours(2))], [M(null, Since.AddHours(1))]);

        Assert.Equal(2, report.PrimaryWithoutMessageId);
        Assert.Equal(1, report.CopyWithoutMessageId);
        Assert.Empty(report.PrimaryOnly);
        Assert.Empty(report.CopyOnly);
        Assert.Equal(ExitCodes.Ok, report.ExitCode);
    }

    [Fact]
    public void Lists_are_oldest_first()
    {
        var report = Compare([M("c@x", Since.AddHours(3)), M("a@x", Since.AddHours(1)), M("b@x", Since.AddHours(2))], []);

        Assert.Equal(["a@x", "b@x", "c@x"], report.PrimaryOnly.Select(m => m.MessageId));
    }

    [Fact]
    public void A_message_the_primary_holds_twice_is_a_duplicate_and_fails_the_audit()
    {
        // A duplicating replay: the same message appended next to the alias copy still waiting.
        var byId = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["a@x"] = ["F"] };
        AuditMessage[] primary = [F(M("a@x", Since.AddHours(1)), "F"), F(M("a@x", Since.AddHours(2)), "F")];

        var report = AliasAuditComparer.Compare("test", Options, primary, [F(M("a@x", Since.AddHours(1)), "F")], Archived(byId), primaryReadsWhole: true);

        AuditDuplicate duplicate = Assert.Single(report.Duplicates);
        Assert.Equal((2, true, "a@x"), (duplicate.Copies, duplicate.ContentCompared, duplicate.Message.MessageId));
        Assert.Empty(report.PrimaryOnly);
        Assert.Empty(report.CopyOnly);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
    }

    [Fact]
    public void Two_different_messages_sharing_a_Message_ID_are_two_messages()
    {
        var byId = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["s@x"] = ["F1", "F2"] };
        AuditMessage[] copy = [F(M("s@x", Since.AddHours(1), "one"), "F1"), F(M("s@x", Since.AddHours(2), "two"), "F2")];

        var both = AliasAuditComparer.Compare("test", Options, [F(M("s@x", Since.AddHours(1)), "F1"), F(M("s@x", Since.AddHours(2)), "F2")], copy, Archived(byId), primaryReadsWhole: true);
        var one = AliasAuditComparer.Compare("test", Options, [F(M("s@x", Since.AddHours(1)), "F1")], copy, Archived(byId), primaryReadsWhole: true);

        Assert.Equal((2, 0, 0), (both.Matched, both.Duplicates.Count, both.ExitCode));
        Assert.Equal("two", Assert.Single(one.CopyOnly).Subject); // the Message-ID alone would have called it present
    }

    [Fact]
    public void Without_Message_ID_messages_are_matched_by_fingerprint_when_the_primary_is_read_whole()
    {
        var none = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        var report = AliasAuditComparer.Compare("test", Options, [F(M(null, Since.AddHours(1)), "F")],
            [F(M(null, Since.AddHours(1)), "F"), F(M(null, Since.AddHours(2), "lost"), "G")], Archived(none, "F"), primaryReadsWhole: true);

        Assert.Equal(1, report.Matched);
        Assert.Equal("lost", Assert.Single(report.CopyOnly).Subject);
        Assert.Equal(0, report.Unidentified);
    }
}
