using System.Globalization;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;
using Xunit.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// <c>replay --deliver-as</c> on the bed: what arrives names the helpdesk in its top Delivered-To, and below the
/// trace it is the archive's bytes.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class DeliverAsReplayTests(TestBedFixture bed, ITestOutputHelper output)
{
    private const string Since = "2000-01-01T00:00:00Z";

    [Fact]
    public async Task Over_IMAP_the_appended_message_is_the_archive_with_the_helpdesk_in_Delivered_To()
    {
        string helpdesk = TestBedFixture.NewUser("dai");
        (TempDirectory dir, byte[] archived) = await ArchiveAsync();
        using (dir)
        {
            CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", $"{helpdesk}@example.test",
                "--to", $"imaps://{helpdesk}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes", "--json"]);
            Assert.Equal(0, run.ExitCode);

            byte[] stored = Assert.Single(await MailboxAsync(helpdesk));
            Assert.Equal(Expected(archived, $"{helpdesk}@example.test"), Encoding.UTF8.GetString(stored));

            // A second run finds it (by Message-ID and the rewritten size) and appends nothing.
            CliRunner.Result again = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", $"{helpdesk}@example.test",
                "--to", $"imaps://{helpdesk}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes", "--json"]);
            Assert.Equal(0, again.ExitCode);
            Assert.Single(await MailboxAsync(helpdesk));
        }
    }

    [Fact]
    public async Task Over_LMTP_the_top_Delivered_To_is_the_helpdesk_and_below_Dovecots_trace_it_is_the_rewritten_archive()
    {
        string helpdesk = TestBedFixture.NewUser("dal");
        (TempDirectory dir, byte[] archived) = await ArchiveAsync();
        using (dir)
        {
            CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", $"{helpdesk}@example.test",
                "--to", $"lmtp://127.0.0.1:{bed.LmtpPort}", "--rcpt", $"{helpdesk}@example.test", "--mail-from", "sender@example.org", "--yes", "--json"]);
            Assert.Equal(0, run.ExitCode);
            await bed.WaitForMessagesAsync(helpdesk, 1);
            string stored = await StoredAsync(helpdesk);
            output.WriteLine(stored[..stored.IndexOf("Subject:", StringComparison.Ordinal)]);

            // Dovecot's LMTP adds its own Return-Path, Delivered-To (the recipient) and Received on top (LF on disk).
            Assert.EndsWith(Expected(archived, $"{helpdesk}@example.test").Replace("\r\n", "\n", StringComparison.Ordinal), stored, StringComparison.Ordinal);
            Assert.Equal($"{helpdesk}@example.test", FirstDeliveredTo(stored));
            Assert.DoesNotContain("copy@example.test", stored, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Postfix's local(8) and virtual(8) bounce a message whose Delivered-To equals its recipient ("mail forwarding
    /// loop"); the bed's Postfix hands example.test to Dovecot over LMTP (lmtp(8), which does not look), so there it
    /// arrives. This records what the bed does; the README warns about the local/virtual case.
    /// </summary>
    [Fact]
    public async Task Over_SMTP_through_the_beds_Postfix_to_LMTP_the_same_address_as_rcpt_is_delivered_not_bounced()
    {
        string helpdesk = TestBedFixture.NewUser("das");
        (TempDirectory dir, byte[] archived) = await ArchiveAsync();
        using (dir)
        {
            CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", $"{helpdesk}@example.test",
                "--to", $"smtp://127.0.0.1:{bed.SmtpPort}", "--rcpt", $"{helpdesk}@example.test", "--mail-from", "sender@example.org", "--ca-file", bed.CaFile, "--yes", "--json"]);
            Assert.Equal(0, run.ExitCode);
            await bed.WaitForMessagesAsync(helpdesk, 1);
            string stored = await StoredAsync(helpdesk);
            // Postfix's cleanup drops the archived Return-Path (message_drop_headers) and adds its own Received.
            string expected = Expected(archived, $"{helpdesk}@example.test").Replace("Return-Path: <sender@example.org>\r\n", string.Empty, StringComparison.Ordinal);
            Assert.EndsWith(expected.Replace("\r\n", "\n", StringComparison.Ordinal), stored, StringComparison.Ordinal);
            Assert.Equal($"{helpdesk}@example.test", FirstDeliveredTo(stored));
        }
    }

    [Fact]
    public async Task To_a_Maildir_the_file_is_the_rewritten_archive_named_with_its_size()
    {
        (TempDirectory dir, byte[] archived) = await ArchiveAsync();
        using (dir)
        using (var target = new TempDirectory())
        {
            string maildir = target.Sub("Maildir");
            CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", "helpdesk@example.org",
                "--to", $"maildir:{maildir}", "--yes", "--json"]);
            Assert.Equal(0, run.ExitCode);
            string file = Assert.Single(Directory.GetFiles(Path.Combine(maildir, "new")));
            byte[] bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(Expected(archived, "helpdesk@example.org"), Encoding.UTF8.GetString(bytes));
            Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $",S={bytes.Length}"), file, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_plan_shows_the_rewrite_and_a_bad_address_is_a_usage_error()
    {
        (TempDirectory dir, _) = await ArchiveAsync();
        using (dir)
        {
            CliRunner.Result text = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", "helpdesk@example.org", "--to", "maildir:/nonexistent/x", "--dry-run"]);
            Assert.Equal(0, text.ExitCode);
            Assert.Contains("Delivered-To: rewritten to helpdesk@example.org", text.Out, StringComparison.Ordinal);

            CliRunner.Result json = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", "helpdesk@example.org", "--to", "maildir:/nonexistent/x", "--dry-run", "--json"]);
            Assert.Equal("helpdesk@example.org", JsonDocument.Parse(json.Out).RootElement.GetProperty("deliverAs").GetString());

            CliRunner.Result bad = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--deliver-as", "Help Desk", "--to", "maildir:/nonexistent/x", "--dry-run"]);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("--deliver-as", bad.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>An archive of one message as the copy account received it: its own Delivered-To and X-Original-To on top.</summary>
    private static async Task<(TempDirectory Dir, byte[] Archived)> ArchiveAsync()
    {
        byte[] archived = Encoding.ASCII.GetBytes(
            "Return-Path: <sender@example.org>\r\nDelivered-To: copy@example.test\r\nReceived: from mx.example.test\r\n\tby mail.example.test; Mon, 16 Nov 2026 10:00:00 +0000\r\n"
            + "X-Original-To: helpdesk-alias@example.test\r\n"
            + $"From: sender@example.org\r\nTo: helpdesk-alias@example.test\r\nSubject: deliver-as\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n"
            + "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n");
        var dir = new TempDirectory();
        using MessageArchive store = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = store.BeginBatch();
        StagedMessage staged = await store.Writer.StageAsync(new MemoryStream(archived), null, CancellationToken.None);
        batch.Add(staged, "imap://copy@mx.example.test", "INBOX", 1, "1");
        batch.Commit();
        return (dir, archived);
    }

    /// <summary>The archived message as --deliver-as sends it: the first trace Delivered-To names ADDR, X-Original-To gone.</summary>
    private static string Expected(byte[] archived, string address) => Encoding.ASCII.GetString(archived)
        .Replace("Delivered-To: copy@example.test\r\n", $"Delivered-To: {address}\r\n", StringComparison.Ordinal)
        .Replace("X-Original-To: helpdesk-alias@example.test\r\n", string.Empty, StringComparison.Ordinal);

    private static string? FirstDeliveredTo(string message) =>
        message.Split('\n').FirstOrDefault(l => l.StartsWith("Delivered-To:", StringComparison.OrdinalIgnoreCase))?["Delivered-To:".Length..].Trim().Trim('<', '>');

    private async Task<string> StoredAsync(string user)
    {
        string file = new[] { "cur", "new" }.Select(d => Path.Combine(bed.Maildir(user), d)).Where(Directory.Exists).SelectMany(Directory.GetFiles).Single();
        return Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file));
    }

    private async Task<List<byte[]>> MailboxAsync(string user)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var list = new List<byte[]>();
        for (int i = 0; i < client.Inbox.Count; i++)
        {
            using Stream stream = await client.Inbox.GetStreamAsync(i, string.Empty);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            list.Add(copy.ToArray());
        }

        return list;
    }
}
