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

    private static AliasAuditReport Compare(AuditMessage[] primary, AuditMessage[] copy, params string[] archived) =>
        AliasAuditComparer.Compare("test", Options, primary, copy, archived.ToHashSet(StringComparer.Ordinal));

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
}
