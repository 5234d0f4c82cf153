using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
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
/// Odd but legal messages, archived and replayed to the bed's Dovecot (IMAP APPEND, LMTP) and Postfix (SMTP):
/// each arrives with the archive's bytes, and one broken archive entry (a 0-byte file) fails alone.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class VerbatimReplayTests(TestBedFixture bed, ITestOutputHelper output)
{
    private const string Since = "2000-01-01T00:00:00Z";

    /// <summary>The corpus; every message has its own marker, so it can be found again in a mailbox.</summary>
    private static Dictionary<string, byte[]> Corpus()
    {
        static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
        static string Head(string name) =>
            $"From: sender@example.org\r\nTo: copy@example.org\r\nSubject: {name}\r\nMessage-ID: <{name}.{Guid.NewGuid():N}@example.org>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\n";
        var thousand = new StringBuilder(Head("thousand"));
        for (int i = 0; i < 1000; i++)
            thousand.Append(CultureInfo.InvariantCulture, $"X-Header-{i}: value {i}\r\n");
        thousand.Append("\r\nbody\r\n");
        return new Dictionary<string, byte[]>
        {
            ["headerless"] = B($"This message has no header section at all ({Guid.NewGuid():N}).\r\nJust text.\r\n"),
            ["from-line"] = B($"From sender@example.org Mon Nov 16 10:00:00 2026\r\n{Head("fromline")}\r\nbody\r\n"),
            ["no-final-newline"] = B($"{Head("nofinal")}\r\nthe last line has no end"),
            ["nul"] = [.. B($"{Head("nul")}\r\nbefore"), 0, .. B("after\r\n")],
            ["bare-lf"] = B($"{Head("barelf")}\r\nline one\r\n".Replace("\r\n", "\n", StringComparison.Ordinal)),
            ["bare-cr"] = B($"{Head("barecr")}\r\none\rtwo\r\n"),
            ["eight-bit-headers"] = B($"{Head("eightbit")}X-Name: Jöran Müller 東京\r\n\r\nbody\r\n"),
            ["long-line"] = B($"{Head("longline")}\r\n{new string('x', 2 * 1024 * 1024)}\r\n"),
            ["thousand-headers"] = B(thousand.ToString()),
            ["mime-preamble"] = B($"{Head("preamble")}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "This is the preamble, which MimeKit would drop.\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\npart\r\n--b1--\r\nepilogue text\r\n"),
        };
    }

    [Fact]
    public async Task Odd_messages_replayed_over_IMAP_equal_a_plain_APPEND_of_the_same_bytes_and_the_empty_entry_fails_alone()
    {
        Dictionary<string, byte[]> corpus = Corpus();
        using var dir = await ArchiveWithEmptyEntryAsync(corpus);
        string target = TestBedFixture.NewUser("vi");
        string reference = TestBedFixture.NewUser("vr");

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since,
            "--to", $"imaps://{target}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes", "--json"]);

        AssertOnlyTheEmptyEntryFailed(run, corpus.Count);
        foreach (byte[] m in corpus.Values)
            await PlainAppendAsync(reference, m);
        List<byte[]> replayed = await MailboxAsync(target);
        List<byte[]> plain = await MailboxAsync(reference);
        Assert.Equal(plain.Select(Sha).Order(StringComparer.Ordinal), replayed.Select(Sha).Order(StringComparer.Ordinal));

        // What Dovecot itself changes on a plain APPEND, for the record.
        foreach (var (name, bytes) in corpus)
            output.WriteLine($"{name}: plain APPEND {(plain.Any(p => p.AsSpan().SequenceEqual(bytes)) ? "unchanged" : "changed by Dovecot")}");
    }

    [Theory]
    [InlineData("smtp")]
    [InlineData("lmtp")]
    public async Task Odd_messages_replayed_over_SMTP_and_LMTP_arrive_as_archived_below_the_trace_and_the_empty_entry_fails_alone(string protocol)
    {
        Dictionary<string, byte[]> corpus = Corpus();
        using var dir = await ArchiveWithEmptyEntryAsync(corpus);
        string user = TestBedFixture.NewUser("v" + protocol);
        string to = protocol == "smtp" ? $"smtp://127.0.0.1:{bed.SmtpPort}" : $"lmtp://127.0.0.1:{bed.LmtpPort}";

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since, "--to", to,
            "--rcpt", $"{user}@example.test", "--mail-from", "sender@example.org", "--ca-file", bed.CaFile, "--yes", "--json"]);

        AssertOnlyTheEmptyEntryFailed(run, corpus.Count);
        await bed.WaitForMessagesAsync(user, corpus.Count);
        List<byte[]> stored = StoredFiles(user);
        foreach (var (name, bytes) in corpus)
        {
            // Dovecot keeps LF on disk: compare with LF line ends; the protocol adds a final line end.
            byte[] expected = Lf(bytes);

            // Postfix's smtpd stores a bare CR as a space (measured on the bed; the replay's writer keeps it, see
            // VerbatimMessageTests, and LMTP, without Postfix, delivers it intact).
            if (protocol == "smtp")
                expected = [.. expected.Select(b => b == '\r' ? (byte)' ' : b)];
            if (expected.Length > 0 && expected[^1] != '\n')
                expected = [.. expected, (byte)'\n'];
            bool arrived = stored.Any(s => s.AsSpan().EndsWith(expected));

            // Postfix's LMTP client to Dovecot breaks lines longer than 998 octets (smtp_line_length_limit, after
            // RFC 5322 §2.1.1) into pieces joined by LF + space: the 2 MB line arrives so, its bytes otherwise intact.
            if (protocol == "smtp" && name == "long-line")
                arrived = stored.Any(s => Without(s).AsSpan().EndsWith(Without(expected)));
            output.WriteLine($"{name}: {(arrived ? "archived bytes below the trace" : "CHANGED")}");
            Assert.True(arrived, $"{protocol}: {name} did not arrive with the archived bytes");
        }
    }

    [Fact]
    public async Task A_refused_login_still_prints_a_JSON_report()
    {
        Dictionary<string, byte[]> corpus = Corpus();
        using var dir = await ArchiveWithEmptyEntryAsync(corpus);
        using var wrong = new TempDirectory();
        string passwordFile = wrong.Sub("password");
        await SecretFile.WriteAsync(passwordFile, "not-the-password\n");

        CliRunner.Result run = await CliRunner.RunAsync(["replay", "--archive", dir.Path, "--since", Since,
            "--to", $"imaps://{TestBedFixture.NewUser("vx")}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", passwordFile, "--ca-file", bed.CaFile, "--yes", "--json"]);

        Assert.Equal(2, run.ExitCode);
        JsonElement json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(corpus.Count + 1, json.GetProperty("selected").GetInt32());
        Assert.Equal(0, json.GetProperty("delivered").GetInt32());
        Assert.Equal("Authentication", json.GetProperty("error").GetProperty("kind").GetString());
        Assert.DoesNotContain("   at ", run.Out + run.Error, StringComparison.Ordinal);
    }

    private static void AssertOnlyTheEmptyEntryFailed(CliRunner.Result run, int good)
    {
        Assert.DoesNotContain("   at ", run.Out + run.Error, StringComparison.Ordinal); // no stack trace
        JsonElement json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(good, json.GetProperty("delivered").GetInt32());
        string failed = Assert.Single(json.GetProperty("failed").EnumerateArray()).GetString()!;
        Assert.Contains("empty", failed, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    /// <summary>The corpus archived, plus one entry whose file lost its bytes after archiving (a broken entry).</summary>
    private static async Task<TempDirectory> ArchiveWithEmptyEntryAsync(Dictionary<string, byte[]> corpus)
    {
        var dir = new TempDirectory();
        string emptied;
        using (MessageArchive store = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
            ArchiveBatch batch = store.BeginBatch();
            int uid = 1;
            foreach (byte[] bytes in corpus.Values.Append(Encoding.ASCII.GetBytes($"Subject: to be emptied {Guid.NewGuid():N}\r\n\r\nx\r\n")))
            {
                StagedMessage staged = await store.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
                batch.Add(staged, "imap://copy@mx.example.test", "INBOX", 1, (uid++).ToString(CultureInfo.InvariantCulture));
            }

            batch.Commit();
            emptied = store.Layout.Resolve(store.Index.AllMessages().Single(m => m.Metadata.Subject?.StartsWith("to be emptied", StringComparison.Ordinal) == true).File)!;
        }

        await File.WriteAllBytesAsync(emptied, []);
        return dir;
    }

    /// <summary>APPEND of the bytes as one literal, written by hand (RFC 9051 §6.3.12): the reference for "what Dovecot keeps".</summary>
    private async Task PlainAppendAsync(string user, byte[] message)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", bed.ImapsPort);
        await using var tls = new SslStream(tcp.GetStream(), false, bed.Trust.Validate);
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        using var reader = new StreamReader(tls, Encoding.ASCII, false, 1024, leaveOpen: true);
        await reader.ReadLineAsync(); // greeting
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"a LOGIN {user} {bed.Password}\r\n"));
        while ((await reader.ReadLineAsync())?.StartsWith("a ", StringComparison.Ordinal) == false)
        {
        }

        await tls.WriteAsync(Encoding.ASCII.GetBytes($"b APPEND INBOX {{{message.Length}}}\r\n"));
        string? go = await reader.ReadLineAsync();
        Assert.StartsWith("+", go, StringComparison.Ordinal);
        await tls.WriteAsync(message);
        await tls.WriteAsync("\r\n"u8.ToArray());
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.StartsWith("b ", StringComparison.Ordinal))
        {
        }

        Assert.StartsWith("b OK", line, StringComparison.Ordinal);
        await tls.WriteAsync("c LOGOUT\r\n"u8.ToArray());
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

    /// <summary>The user's Maildir files as Dovecot stored them.</summary>
    private List<byte[]> StoredFiles(string user) =>
        [.. new[] { "cur", "new" }.Select(d => Path.Combine(bed.Maildir(user), d)).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).Select(File.ReadAllBytes)];

    private static byte[] Without(byte[] bytes) => [.. bytes.Where(x => x is not ((byte)'\n' or (byte)' '))];

    private static byte[] Lf(byte[] bytes)
    {
        var lf = new List<byte>(bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n')
                continue;
            lf.Add(bytes[i]);
        }

        return [.. lf];
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
}
