using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>The --deliver-as rewrite: only the leading trace block's Delivered-To/X-Original-To change.</summary>
public sealed class DeliveredToRewriteTests : IDisposable
{
    private const string Addr = "helpdesk@example.org";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public async Task The_first_trace_Delivered_To_names_the_address_the_others_of_the_block_go_and_the_rest_stays(string eol)
    {
        string original = Lines(eol,
            "Return-Path: <sender@example.org>",
            "Delivered-To: copy@example.org",
            "Received: from mx.example.org",
            "\tby mail.example.org; Mon, 16 Nov 2026 10:00:00 +0000",
            "X-Original-To: copy@example.org",
            "Delivered-To: alias@example.org",
            "From: sender@example.org",
            "Delivered-To: below-the-trace@example.org",
            "Subject: hi",
            "",
            "Delivered-To: in the body",
            "body");
        string expected = Lines(eol,
            "Return-Path: <sender@example.org>",
            $"Delivered-To: {Addr}",
            "Received: from mx.example.org",
            "\tby mail.example.org; Mon, 16 Nov 2026 10:00:00 +0000",
            "From: sender@example.org",
            "Delivered-To: below-the-trace@example.org",
            "Subject: hi",
            "",
            "Delivered-To: in the body",
            "body");

        await AssertRewriteAsync(original, expected);
    }

    [Fact]
    public async Task A_folded_Delivered_To_is_replaced_whole_and_a_folded_one_dropped_whole()
    {
        string original = "Delivered-To:\r\n copy@example.org\r\nX-Original-To: copy@example.org,\r\n\tother@example.org\r\nReceived: x\r\n  y\r\nSubject: s\r\n\r\nb\r\n";
        await AssertRewriteAsync(original, $"Delivered-To: {Addr}\r\nReceived: x\r\n  y\r\nSubject: s\r\n\r\nb\r\n");
    }

    [Theory]
    [InlineData("From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n", "\r\n")]
    [InlineData("From: a@example.org\nSubject: s\n\nbody\n", "\n")]
    [InlineData("Received: from x\nSubject: s\n\nbody\n", "\n")] // a trace block without one
    [InlineData("\r\nno header section\r\n", "\r\n")] // headerless: the new field starts the header section
    [InlineData("Just text, no headers at all.\n", "\n")]
    [InlineData("From sender@example.org Mon Nov 16 10:00:00 2026\nFrom: a@example.org\n\nb\n", "\n")] // a From_ line is not a field
    [InlineData("no line end at all", "\r\n")]
    public async Task Without_one_in_the_trace_block_a_Delivered_To_goes_on_top_ended_like_the_first_line(string original, string eol) =>
        await AssertRewriteAsync(original, $"Delivered-To: {Addr}{eol}{original}");

    [Fact]
    public async Task A_message_that_is_all_trace_without_a_final_newline_keeps_having_none() =>
        await AssertRewriteAsync("Received: x\r\nDelivered-To: copy@example.org", $"Received: x\r\nDelivered-To: {Addr}");

    [Fact]
    public async Task A_trace_block_longer_than_the_first_read_is_read_on()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 2000; i++)
            sb.Append("Received: from relay").Append(i).Append(" by somewhere\r\n");
        string trace = sb.ToString(); // ~70 KB, past the first 16 KB read
        await AssertRewriteAsync($"{trace}Delivered-To: copy@example.org\r\nSubject: s\r\n\r\nb\r\n", $"{trace}Delivered-To: {Addr}\r\nSubject: s\r\n\r\nb\r\n");
    }

    [Fact]
    public async Task Past_the_bound_fields_are_left_as_they_are()
    {
        var sb = new StringBuilder();
        while (sb.Length <= DeliveredToRewrite.MaxTraceBlock)
            sb.Append("Received: from relay by somewhere, a long trace of a hostile message\r\n");
        string original = $"{sb}Delivered-To: copy@example.org\r\nSubject: s\r\n\r\nb\r\n";
        await AssertRewriteAsync(original, $"Delivered-To: {Addr}\r\n{original}");
    }

    [Fact]
    public async Task Reads_of_any_size_and_rewinds_give_the_same_bytes_and_the_announced_length()
    {
        string original = "Return-Path: <s@example.org>\r\nDelivered-To: copy@example.org\r\nReceived: r\r\nDelivered-To: x@example.org\r\nSubject: s\r\n\r\n" + new string('b', 100_000) + "\r\n";
        string path = await WriteAsync(original);
        DeliveredToRewrite rewrite = await DeliveredToRewrite.PlanAsync(path, Addr, CancellationToken.None);
        byte[] whole = await ReadAllAsync(rewrite, path, 1 << 20);
        Assert.Equal(rewrite.Length, whole.Length);
        foreach (int size in new[] { 1, 3, 7, 64, 4096 })
            Assert.Equal(whole, await ReadAllAsync(rewrite, path, size));

        await using Stream stream = rewrite.Open(path);
        var first = new byte[40];
        stream.ReadExactly(first); // sync reads too
        stream.Position = 0; // MailKit writes an IMAP literal twice: measuring, then sending
        var again = new MemoryStream();
        await stream.CopyToAsync(again);
        Assert.Equal(whole, again.ToArray());
        Assert.Equal(whole.AsSpan(0, 40).ToArray(), first);
    }

    [Theory]
    [InlineData("Return-Path: <s@example.org>\r\nDelivered-To: copy@example.org\r\nX-Original-To: copy@example.org\r\nFrom: a@example.org\r\n\r\nbody\r\n")]
    [InlineData("From: a@example.org\nSubject: s\n\nbody\n")]
    [InlineData("Just text, no headers at all.\n")]
    public async Task The_message_identity_does_not_change(string original)
    {
        string path = await WriteAsync(original);
        DeliveredToRewrite rewrite = await DeliveredToRewrite.PlanAsync(path, Addr, CancellationToken.None);
        await using Stream rewritten = rewrite.Open(path);
        string after = await MessageFingerprint.ComputeAsync(rewritten, CancellationToken.None);
        Assert.Equal(await MessageFingerprint.ComputeAsync(path, CancellationToken.None), after);
        Assert.NotEqual(original, Encoding.UTF8.GetString(await ReadAllAsync(rewrite, path, 4096)));
    }

    /// <summary>Targets read the header line by line, then copy in large chunks: the stream's own buffer is small.</summary>
    [Fact]
    public async Task A_replay_item_reads_its_header_without_a_large_buffer()
    {
        string path = await WriteAsync("Return-Path: <a@example.org>\r\nSubject: s\r\n\r\n" + new string('b', 200_000) + "\r\n");
        var message = new ArchivedMessage("f", new string('0', 64), new FileInfo(path).Length, DateTimeOffset.UnixEpoch, new MessageMetadata(
            "m@example.org", DateTimeOffset.UnixEpoch, ReceivedTimeSource.ReceivedHeader, null, null, null, null, null, null, string.Empty, null, false));
        await using Stream stream = new ReplayItem(message, path).OpenRead();
        byte[] line = new byte[100];

        long before = GC.GetAllocatedBytesForCurrentThread();
        int read = stream.Read(line, 0, line.Length);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100, read);
        Assert.True(allocated < 16 * 1024, $"a 100-byte read allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_replay_item_opens_and_measures_the_rewritten_bytes()
    {
        string original = "Delivered-To: copy@example.org\r\nSubject: s\r\n\r\nb\r\n";
        string path = await WriteAsync(original);
        var message = new ArchivedMessage("f", new string('0', 64), original.Length, DateTimeOffset.UnixEpoch, new MessageMetadata(
            "m@example.org", DateTimeOffset.UnixEpoch, ReceivedTimeSource.ReceivedHeader, null, null, null, null, null, null, string.Empty, null, false));
        var item = new ReplayItem(message, path) { Rewrite = await DeliveredToRewrite.PlanAsync(path, Addr, CancellationToken.None) };
        await using Stream stream = item.OpenRead();
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal($"Delivered-To: {Addr}\r\nSubject: s\r\n\r\nb\r\n", Encoding.ASCII.GetString(copy.ToArray()));
        Assert.Equal(copy.Length, item.ContentLength);
        Assert.Equal(original.Length, new ReplayItem(message, path).ContentLength);
    }

    [Theory]
    [InlineData("helpdesk@example.org", "helpdesk@example.org")]
    [InlineData(" <helpdesk@example.org> ", "helpdesk@example.org")]
    public void A_plain_address_is_taken(string text, string expected) => Assert.Equal(expected, DeliveredToRewrite.ValidateAddress(text));

    [Theory]
    [InlineData("helpdesk")]
    [InlineData("Help Desk <helpdesk@example.org>")]
    [InlineData("a@b@example.org")]
    [InlineData("hélp@example.org")]
    [InlineData("help\r\nBcc: x@example.org")]
    public void Anything_else_is_a_usage_error_with_a_fix(string text)
    {
        var e = Assert.Throws<MailRecoveryException>(() => DeliveredToRewrite.ValidateAddress(text));
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.NotNull(e.Fix);
    }

    private static string Lines(string eol, params string[] lines) => string.Join(eol, lines);

    private async Task AssertRewriteAsync(string original, string expected)
    {
        string path = await WriteAsync(original);
        DeliveredToRewrite rewrite = await DeliveredToRewrite.PlanAsync(path, Addr, CancellationToken.None);
        byte[] bytes = await ReadAllAsync(rewrite, path, 4096);
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
        Assert.Equal(bytes.Length, rewrite.Length);
    }

    private async Task<string> WriteAsync(string content)
    {
        string path = dir.Sub(Guid.NewGuid().ToString("N") + ".eml");
        await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(content));
        return path;
    }

    private static async Task<byte[]> ReadAllAsync(DeliveredToRewrite rewrite, string path, int readSize)
    {
        await using Stream stream = rewrite.Open(path);
        var copy = new MemoryStream();
        byte[] buffer = new byte[readSize];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
            copy.Write(buffer, 0, n);
        return copy.ToArray();
    }
}
