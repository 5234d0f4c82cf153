using System.Globalization;
using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// Which archived messages a window and a filter select, read from a real index. The corpus (times UTC, on
/// 2026-11-26 unless said; every message is To: support@example.test and From: sender{n}@example.org):
/// <code>
///  n  received   Date:           archived    also
///  1  09:59:59   11-25 00:00     A+0m
///  2  10:00:00   11-25 00:00     A+1m        Cc: Bob &lt;BOB@Example.TEST&gt;
///  3  11:30:00   10:00:00        A+2m        Delivered-To: jimbob@example.test (received written as 20:30 +0900)
///  4  11:59:59   12:00:00        A+3m        X-Original-To: carol@example.test
///  5  12:00:00   11-25 00:00     A+4m        Cc: dave@example.test
///  6  11:00:00   11-25 00:00     A+5m        X-MailRecovery-Probe: 1
///  7  10:30:00   11-25 00:00     A+6m
///  8  10:30:00   11-25 00:00     A+6m+1s
///  9  11-27 08:00 10:15:00       A+7m
/// </code>
/// </summary>
public sealed class ReplaySelectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Since = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ArchivedBase = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(ArchivedBase);
    private readonly Dictionary<int, string> files = [];
    private MessageArchive? archive;

    private ArchiveIndex Index => archive!.Index;

    public async Task InitializeAsync()
    {
        archive = await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        await AddAsync(1, "Thu, 26 Nov 2026 09:59:59 +0000", TimeSpan.Zero);
        await AddAsync(2, "Thu, 26 Nov 2026 10:00:00 +0000", TimeSpan.FromMinutes(1), extra: "Cc: Bob <BOB@Example.TEST>\r\n");
        await AddAsync(3, "Thu, 26 Nov 2026 20:30:00 +0900", TimeSpan.FromMinutes(2), date: "Thu, 26 Nov 2026 19:00:00 +0900", extra: "Delivered-To: jimbob@example.test\r\n");
        await AddAsync(4, "Thu, 26 Nov 2026 11:59:59 +0000", TimeSpan.FromMinutes(3), date: "Thu, 26 Nov 2026 12:00:00 +0000", extra: "X-Original-To: carol@example.test\r\n");
        await AddAsync(5, "Thu, 26 Nov 2026 12:00:00 +0000", TimeSpan.FromMinutes(4), extra: "Cc: dave@example.test\r\n");
        await AddAsync(6, "Thu, 26 Nov 2026 11:00:00 +0000", TimeSpan.FromMinutes(5), extra: "X-MailRecovery-Probe: 1\r\n");
        await AddAsync(7, "Thu, 26 Nov 2026 10:30:00 +0000", TimeSpan.FromMinutes(6));
        await AddAsync(8, "Thu, 26 Nov 2026 10:30:00 +0000", TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(1));
        await AddAsync(9, "Fri, 27 Nov 2026 08:00:00 +0000", TimeSpan.FromMinutes(7), date: "Thu, 26 Nov 2026 10:15:00 +0000");
    }

    public Task DisposeAsync()
    {
        archive?.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void The_window_by_received_includes_since_excludes_until_and_is_oldest_first()
    {
        IReadOnlyList<ArchivedMessage> selected = Select(ReplayClock.Received);

        // 1 is a second early, 5 is exactly at until, 6 is a probe, 9 arrived the next day.
        Assert.Equal([2, 7, 8, 3, 4], Numbers(selected));
        Assert.Equal(Since, selected[0].Metadata.ReceivedAt);
        Assert.All(selected, m => Assert.True(new ReplayWindow(Since, Until, ReplayClock.Received).Contains(m.Metadata.ReceivedAt)));
    }

    [Fact]
    public void A_window_of_one_millisecond_at_since_holds_exactly_that_message()
    {
        var window = new ReplayWindow(Since, Since.AddMilliseconds(1), ReplayClock.Received);

        Assert.Equal([2], Numbers(ReplaySelector.Select(Index, window, ReplayFilter.All)));
        Assert.Empty(ReplaySelector.Select(Index, new ReplayWindow(Since, Since, ReplayClock.Received), ReplayFilter.All));
    }

    [Fact]
    public void Windows_written_in_other_offsets_select_the_same_instants()
    {
        var tokyo = new ReplayWindow(Since.ToOffset(TimeSpan.FromHours(9)), Until.ToOffset(TimeSpan.FromHours(9)), ReplayClock.Received);
        var newYork = new ReplayWindow(Since.ToOffset(TimeSpan.FromHours(-5)), Until.ToOffset(TimeSpan.FromHours(-5)), ReplayClock.Received);

        Assert.Equal(Numbers(Select(ReplayClock.Received)), Numbers(ReplaySelector.Select(Index, tokyo, ReplayFilter.All)));
        Assert.Equal(Numbers(Select(ReplayClock.Received)), Numbers(ReplaySelector.Select(Index, newYork, ReplayFilter.All)));
    }

    [Fact]
    public void By_date_selects_on_the_Date_header_with_the_same_edges()
    {
        // 3 is dated exactly at since (19:00 +0900), 9 at 10:15 but received a day later; 4 is dated exactly at until.
        Assert.Equal([3, 9], Numbers(Select(ReplayClock.Date)));
    }

    [Fact]
    public void By_archived_selects_on_the_archiving_time_with_the_same_edges()
    {
        var window = new ReplayWindow(ArchivedBase.AddMinutes(2), ArchivedBase.AddMinutes(5), ReplayClock.Archived);

        Assert.Equal([3, 4, 5], Numbers(ReplaySelector.Select(Index, window, ReplayFilter.All)));
    }

    [Theory]
    [InlineData("Bob@EXAMPLE.test", new[] { 2 })] // Cc, written in capitals in the message
    [InlineData("  bob@example.test ", new[] { 2 })] // not jimbob@example.test
    [InlineData("jimbob@example.test", new[] { 3 })] // Delivered-To
    [InlineData("CAROL@example.test", new[] { 4 })] // X-Original-To
    [InlineData("support@example.test", new[] { 2, 7, 8, 3, 4 })] // To of every message
    [InlineData("dave@example.test", new int[0])] // only message 5, which is at until
    [InlineData("example.test", new int[0])]
    [InlineData("ob@example.test", new int[0])]
    [InlineData("bob@example.tes", new int[0])]
    public void A_recipient_matches_whole_addresses_of_To_Cc_Delivered_To_and_X_Original_To_in_any_case(string recipient, int[] expected) =>
        Assert.Equal(expected, Numbers(Select(ReplayClock.Received, Filter(recipients: [recipient]))));

    [Fact]
    public void Several_recipients_match_any_of_them()
    {
        Assert.Equal([2, 4], Numbers(Select(ReplayClock.Received, Filter(recipients: ["carol@example.test", "bob@example.test"]))));
    }

    [Theory]
    [InlineData("sender3@example.org", new[] { 3 })]
    [InlineData("SENDER7@Example.Org", new[] { 7 })]
    [InlineData("ender3@example.org", new int[0])]
    [InlineData("sender3@example.or", new int[0])]
    [InlineData("sender1@example.org", new int[0])] // outside the window
    public void A_sender_matches_the_whole_From_address_in_any_case(string sender, int[] expected) =>
        Assert.Equal(expected, Numbers(Select(ReplayClock.Received, Filter(senders: [sender]))));

    [Fact]
    public void Filters_of_different_kinds_must_all_match()
    {
        Assert.Equal([2], Numbers(Select(ReplayClock.Received, Filter(recipients: ["bob@example.test", "carol@example.test"], senders: ["sender2@example.org", "sender3@example.org"]))));
    }

    [Theory]
    [InlineData(new[] { "m3@example.org" }, new[] { 3 })]
    [InlineData(new[] { "<m4@example.org>" }, new[] { 4 })]
    [InlineData(new[] { " <m4@example.org> ", "m2@example.org" }, new[] { 2, 4 })]
    [InlineData(new[] { "m9@example.org" }, new int[0])] // outside the window: the window still applies
    [InlineData(new[] { "m3@example" }, new int[0])]
    public void Message_ids_match_with_or_without_angle_brackets(string[] ids, int[] expected) =>
        Assert.Equal(expected, Numbers(Select(ReplayClock.Received, Filter(messageIds: ids))));

    [Fact]
    public void Probes_are_left_out_unless_asked_for()
    {
        Assert.DoesNotContain(6, Numbers(Select(ReplayClock.Received)));
        Assert.Equal([2, 7, 8, 6, 3, 4], Numbers(Select(ReplayClock.Received, Filter(includeProbes: true))));
        Assert.Empty(Select(ReplayClock.Received, Filter(messageIds: ["m6@example.org"])));
    }

    [Fact]
    public void Ties_are_broken_by_file_name_and_the_order_is_the_same_every_time()
    {
        IReadOnlyList<ArchivedMessage> first = Select(ReplayClock.Received);
        IReadOnlyList<ArchivedMessage> again = Select(ReplayClock.Received);

        Assert.Equal(first.Select(m => m.File), again.Select(m => m.File));
        Assert.True(string.CompareOrdinal(files[7], files[8]) < 0);
        Assert.Equal([files[7], files[8]], first.Where(m => m.Metadata.ReceivedAt == Since.AddMinutes(30)).Select(m => m.File));

        // Oldest first, not in the order they were archived (3 was archived before 7 and 8).
        Assert.Equal(first.OrderBy(m => m.Metadata.ReceivedAt).ThenBy(m => m.File, StringComparer.Ordinal).Select(m => m.File), first.Select(m => m.File));
    }

    [Fact]
    public void Underscore_and_percent_in_an_address_are_literal()
    {
        // car_l@example.test is a valid address (RFC 5322 atext) that no message was sent to.
        Assert.Empty(Select(ReplayClock.Received, Filter(recipients: ["car_l@example.test"])));
        Assert.Empty(Select(ReplayClock.Received, Filter(recipients: ["%@example.test"])));
        Assert.Empty(Select(ReplayClock.Received, Filter(senders: ["sender_@example.org"])));
    }

    private static ReplayFilter Filter(string[]? recipients = null, string[]? senders = null, string[]? messageIds = null, bool includeProbes = false) =>
        new(recipients ?? [], senders ?? [], messageIds ?? [], includeProbes);

    private IReadOnlyList<ArchivedMessage> Select(ReplayClock by, ReplayFilter? filter = null) =>
        ReplaySelector.Select(Index, new ReplayWindow(Since, Until, by), filter ?? ReplayFilter.All);

    private int[] Numbers(IEnumerable<ArchivedMessage> messages) =>
        messages.Select(m => files.Single(f => f.Value == m.File).Key).ToArray();

    /// <summary>Archives message n (Message-ID m{n}@example.org) as if fetched at ArchivedBase + <paramref name="archivedAfter"/>.</summary>
    private async Task AddAsync(int n, string received, TimeSpan archivedAfter, string? date = null, string? extra = null)
    {
        string text = Encoding.UTF8.GetString(TestMessages.Simple(n, $"m{n}@example.org", received, extra));
        if (date is not null)
            text = text.Replace("Date: Wed, 25 Nov 2026 09:00:00 +0900", "Date: " + date, StringComparison.Ordinal);
        clock.SetUtcNow(ArchivedBase + archivedAfter);
        StagedMessage staged = await archive!.Writer.StageAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), null, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        Assert.True(batch.Add(staged, "pop3://copy@mx.example.test:995", "INBOX", 0, n.ToString(CultureInfo.InvariantCulture)));
        batch.Commit();
        files[n] = staged.File;
    }
}
