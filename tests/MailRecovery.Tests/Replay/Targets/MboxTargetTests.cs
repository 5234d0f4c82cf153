using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;
using MimeKit;

namespace MailRecovery.Tests.Replay.Targets;

public sealed class MboxTargetTests : IDisposable
{
    private const string TrickyBody =
        "Hello\r\nFrom the start of a line\r\n>From already quoted\r\n>>From twice\r\nFromage is not quoted\r\n From indented\r\nFrom\r\n";

    private readonly TempDirectory dir = new();

    private string Mbox => dir.Sub("out/restored.mbox");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Messages_read_back_byte_exact_after_unquoting_including_from_and_quoted_from_lines()
    {
        byte[][] originals =
        [
            TestMessages.Simple(1, "m1@example.org"),
            TestMessages.Simple(2, "m2@example.org", body: TrickyBody),
            TestMessages.Simple(3, "m3@example.org", body: "From the first body line\r\n"),
        ];

        await DeliverAllAsync(originals);

        List<(string FromLine, byte[] Content)> parsed = SplitMbox(await File.ReadAllBytesAsync(Mbox));
        Assert.Equal(originals.Length, parsed.Count);
        for (int i = 0; i < originals.Length; i++)
            Assert.Equal(originals[i], parsed[i].Content);
        Assert.Equal("From sender1@example.org Thu Nov 26 10:00:00 2026\n", parsed[0].FromLine);
        string text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Mbox));
        Assert.Contains("\r\n>From the start of a line\r\n>>From already quoted\r\n>>>From twice\r\nFromage is not quoted\r\n From indented\r\nFrom\r\n", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Mbox));
    }

    [Fact]
    public async Task MimeKit_parses_every_message_with_its_headers_and_its_content_back()
    {
        byte[][] originals =
        [
            TestMessages.Simple(1, "m1@example.org"),
            TestMessages.Simple(2, "m2@example.org", body: TrickyBody),
            TestMessages.Simple(3, "m3@example.org", body: ">From the first body line\r\n"),
        ];

        await DeliverAllAsync(originals);

        await using var stream = File.OpenRead(Mbox);
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        int i = 0;
        while (!parser.IsEndOfStream)
        {
            MimeMessage message = await parser.ParseMessageAsync();
            Assert.Equal($"m{i + 1}@example.org", message.MessageId);
            Assert.Equal($"test message {i + 1}", message.Subject);
            Assert.StartsWith($"From sender{i + 1}@example.org ", parser.MboxMarker, StringComparison.Ordinal);

            // MimeKit keeps the mboxrd quoting (as the format intends, readers un-quote): do that, then compare.
            // Written with CRLF, the originals' line ends (MimeKit would otherwise write the platform's).
            using var written = new MemoryStream();
            FormatOptions crlf = FormatOptions.Default.Clone();
            crlf.NewLineFormat = NewLineFormat.Dos;
            await message.WriteToAsync(crlf, written);
            byte[] content = Unquote(written.ToArray());

            // MimeKit drops the empty line before each next From_ line but keeps the one at the end of the
            // file (as a body line, written here as CRLF), so the last message carries it.
            if (parser.IsEndOfStream)
            {
                Assert.True(content.AsSpan().EndsWith("\r\n\r\n"u8));
                content = content[..^2];
            }

            Assert.Equal(originals[i], content);
            i++;
        }

        Assert.Equal(originals.Length, i);
    }

    [Fact]
    public async Task The_envelope_sender_comes_from_return_path_or_is_mailer_daemon()
    {
        byte[] noReturnPath = "Subject: no return path\r\nMessage-ID: <n@example.org>\r\n\r\nlast line without an end"u8.ToArray();
        byte[] nullSender = "Return-Path: <>\r\nSubject: bounce\r\n\r\nbounced\r\n"u8.ToArray();

        await DeliverAllAsync([noReturnPath, nullSender]);

        List<(string FromLine, byte[] Content)> parsed = SplitMbox(await File.ReadAllBytesAsync(Mbox));
        Assert.StartsWith("From MAILER-DAEMON ", parsed[0].FromLine, StringComparison.Ordinal);
        Assert.StartsWith("From MAILER-DAEMON ", parsed[1].FromLine, StringComparison.Ordinal);

        // mbox cannot hold a message without a final line end: it gets one, and nothing else changes.
        Assert.Equal([.. noReturnPath, (byte)'\n'], parsed[0].Content);
        Assert.Equal(nullSender, parsed[1].Content);
    }

    [Theory]
    [InlineData("<a@example.org>", "a@example.org")]
    [InlineData(" <a@example.org> (comment)", "a@example.org")]
    [InlineData("a@example.org", "a@example.org")]
    [InlineData("<>", "MAILER-DAEMON")]
    [InlineData("<a b@example.org>", "MAILER-DAEMON")]
    [InlineData(null, "MAILER-DAEMON")]
    public void Envelope_sender_parsing(string? returnPath, string expected) =>
        Assert.Equal(expected, MboxTarget.EnvelopeSender(returnPath));

    [Fact]
    public void Asctime_pads_the_day_with_a_space_and_is_in_utc()
    {
        Assert.Equal("Thu Nov  5 10:00:00 2026", MboxTarget.AscTime(new DateTimeOffset(2026, 11, 5, 11, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal("Thu Nov 26 10:00:00 2026", MboxTarget.AscTime(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task Quoting_is_right_where_a_from_line_straddles_a_read_boundary()
    {
        // The target reads 64 KiB at a time: put ">>From " at every position around the first boundary.
        byte[] header = "Subject: boundary\r\n\r\n"u8.ToArray();
        var originals = new List<byte[]>();
        for (int shift = 0; shift < 9; shift++)
        {
            int filler = 65536 - header.Length - 2 - shift;
            originals.Add([.. header, .. Encoding.ASCII.GetBytes(new string('a', filler) + "\r\n>>From x\r\nFrom y\r\nFrom")]);
        }

        await DeliverAllAsync(originals);

        List<(string FromLine, byte[] Content)> parsed = SplitMbox(await File.ReadAllBytesAsync(Mbox));
        Assert.Equal(originals.Count, parsed.Count);
        for (int i = 0; i < originals.Count; i++)
            Assert.Equal([.. originals[i], (byte)'\n'], parsed[i].Content);
    }

    [Fact]
    public async Task A_torn_append_is_cut_off_at_the_checkpoint_and_a_whole_one_is_present()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org", body: TrickyBody));
        string checkpoint;
        await using (var target = new MboxTarget(Mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(a, CancellationToken.None);
            checkpoint = target.Checkpoint(b)!;
            await target.DeliverAsync(b, CancellationToken.None);
        }

        byte[] whole = await File.ReadAllBytesAsync(Mbox);
        int afterA = int.Parse(checkpoint, System.Globalization.CultureInfo.InvariantCulture);

        // A run killed mid-append of b: the journal has b's intent with the checkpoint, and no outcome.
        await File.WriteAllBytesAsync(Mbox, whole[..(afterA + 40)]);
        await using (var target = new MboxTarget(Mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            Assert.Equal(Presence.Absent, await target.CheckAsync(b, checkpoint, CancellationToken.None));
            Assert.Equal(whole[..afterA], await File.ReadAllBytesAsync(Mbox));
            await target.DeliverAsync(b, CancellationToken.None);
        }

        Assert.Equal(whole, await File.ReadAllBytesAsync(Mbox));

        // Killed after the append but before the outcome was journaled: the message is whole, keep it.
        await using (var target = new MboxTarget(Mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            Assert.Equal(Presence.Present, await target.CheckAsync(b, checkpoint, CancellationToken.None));
            Assert.Equal(Presence.Absent, await target.CheckAsync(b, null, CancellationToken.None));
        }

        Assert.Equal(whole, await File.ReadAllBytesAsync(Mbox));
    }

    [Fact]
    public async Task With_deliver_as_the_torn_append_check_compares_the_rewritten_bytes()
    {
        byte[] original = [.. "Delivered-To: copy@example.org\r\n"u8, .. TestMessages.Simple(2, "m2@example.org", body: TrickyBody)];
        ReplayItem plain = await ItemAsync(original);
        ReplayItem b = plain with { Rewrite = await DeliveredToRewrite.PlanAsync(plain.Path, "helpdesk@example.org", CancellationToken.None) };
        string checkpoint;
        await using (var target = new MboxTarget(Mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            checkpoint = target.Checkpoint(b)!;
            await target.DeliverAsync(b, CancellationToken.None);
        }

        byte[] whole = await File.ReadAllBytesAsync(Mbox);
        string text = Encoding.UTF8.GetString(whole);
        Assert.Contains("\nDelivered-To: helpdesk@example.org\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("copy@example.org", text, StringComparison.Ordinal);
        await using (var target = new MboxTarget(Mbox))
        {
            // Killed after the append: the rewritten message is whole and found; the archived bytes would not be.
            await target.OpenAsync(CancellationToken.None);
            Assert.Equal(Presence.Present, await target.CheckAsync(b, checkpoint, CancellationToken.None));
            Assert.Equal(Presence.Unknown, await target.CheckAsync(plain, checkpoint, CancellationToken.None));
        }

        Assert.Equal(whole, await File.ReadAllBytesAsync(Mbox));
    }

    [Fact]
    public async Task Bytes_after_the_checkpoint_that_are_not_this_delivery_are_unknown_and_kept()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        ReplayItem c = await ItemAsync(TestMessages.Simple(3, "m3@example.org"));
        await using var target = new MboxTarget(Mbox);
        await target.OpenAsync(CancellationToken.None);
        await target.DeliverAsync(a, CancellationToken.None);
        string checkpoint = target.Checkpoint(b)!;

        // Something else appended at the checkpoint (another message; or b, then more after it).
        await target.DeliverAsync(c, CancellationToken.None);
        byte[] withC = await File.ReadAllBytesAsync(Mbox);
        Assert.Equal(Presence.Unknown, await target.CheckAsync(b, checkpoint, CancellationToken.None));
        Assert.Equal(withC, await File.ReadAllBytesAsync(Mbox));
    }

    [Fact]
    public async Task A_cancelled_delivery_leaves_the_file_as_it_was()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        await using var target = new MboxTarget(Mbox);
        await target.OpenAsync(CancellationToken.None);
        await target.DeliverAsync(a, CancellationToken.None);
        byte[] before = await File.ReadAllBytesAsync(Mbox);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => target.DeliverAsync(b, new CancellationToken(canceled: true)));

        Assert.Equal(before, await File.ReadAllBytesAsync(Mbox));
    }

    [Fact]
    public async Task Appending_to_an_existing_mbox_starts_the_from_line_after_an_empty_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Mbox)!);
        byte[] existing = "From someone@example.org Mon Nov  2 08:00:00 2026\nSubject: old\n\nno final newline"u8.ToArray();
        await File.WriteAllBytesAsync(Mbox, existing);
        File.SetUnixFileMode(Mbox, UnixFileMode.UserRead | UnixFileMode.UserWrite); // an mbox others can read is refused
        byte[] bytes = TestMessages.Simple(1, "m1@example.org");
        ReplayItem item = await ItemAsync(bytes);

        await using (var target = new MboxTarget(Mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(item, CancellationToken.None);
        }

        List<(string FromLine, byte[] Content)> parsed = SplitMbox(await File.ReadAllBytesAsync(Mbox));
        Assert.Equal(2, parsed.Count);
        Assert.Equal("Subject: old\n\nno final newline\n"u8.ToArray(), parsed[0].Content);
        Assert.Equal(bytes, parsed[1].Content);
    }

    [Fact]
    public async Task A_file_that_is_not_an_mbox_is_refused_and_left_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Mbox)!);
        await File.WriteAllTextAsync(Mbox, "important notes\n");

        await using var target = new MboxTarget(Mbox);
        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal("important notes\n", await File.ReadAllTextAsync(Mbox));
    }

    /// <summary>
    /// An mboxrd reader: From_ lines start messages; the empty line before the next one and one '>' of every
    /// "^>+From " line are the format's, not the message's.
    /// </summary>
    internal static List<(string FromLine, byte[] Content)> SplitMbox(byte[] mbox)
    {
        var messages = new List<(string, byte[])>();
        string? fromLine = null;
        var lines = new List<byte[]>();
        void Finish()
        {
            if (fromLine is null)
                return;
            Assert.True(lines.Count > 0 && lines[^1] is [(byte)'\n'], "every message ends with an empty line");
            lines.RemoveAt(lines.Count - 1);
            messages.Add((fromLine, Unquote([.. lines.SelectMany(l => l)])));
        }

        int start = 0;
        while (start < mbox.Length)
        {
            int lf = Array.IndexOf(mbox, (byte)'\n', start);
            int end = lf < 0 ? mbox.Length : lf + 1;
            byte[] line = mbox[start..end];
            if (line.AsSpan().StartsWith("From "u8))
            {
                Finish();
                fromLine = Encoding.UTF8.GetString(line);
                lines.Clear();
            }
            else
            {
                Assert.NotNull(fromLine);
                lines.Add(line);
            }

            start = end;
        }

        Finish();
        return messages;
    }

    /// <summary>Removes one '>' from every line matching "^>+From ".</summary>
    internal static byte[] Unquote(byte[] content)
    {
        var result = new List<byte>(content.Length);
        bool lineStart = true;
        for (int i = 0; i < content.Length; i++)
        {
            if (lineStart && content[i] == (byte)'>')
            {
                int j = i;
                while (j < content.Length && content[j] == (byte)'>')
                    j++;
                if (content.AsSpan(j).StartsWith("From "u8))
                    i++;
            }

            result.Add(content[i]);
            lineStart = content[i] == (byte)'\n';
        }

        return [.. result];
    }

    private async Task DeliverAllAsync(IEnumerable<byte[]> messages)
    {
        var items = new List<ReplayItem>();
        foreach (byte[] m in messages)
            items.Add(await ItemAsync(m));
        await using var target = new MboxTarget(Mbox);
        await target.OpenAsync(CancellationToken.None);
        foreach (ReplayItem item in items)
            await target.DeliverAsync(item, CancellationToken.None);
        await target.CompleteAsync(CancellationToken.None);
    }

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
