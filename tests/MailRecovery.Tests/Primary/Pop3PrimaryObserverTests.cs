using System.Globalization;
using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Primary;
using MailRecovery.Tests.TestBed;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Tests.Primary;

/// <summary>
/// The primary ledger over POP3 on the real Dovecot: messages whose Message-ID cannot tell which archived message
/// they are (none, or one shared by two different messages) are read whole with <c>TOP n max</c>, never RETR, and
/// matched by fingerprint; the helpdesk's maildrop is left exactly as it was, no message marked \Seen.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class Pop3PrimaryObserverTests(TestBedFixture bed)
{
    [Fact]
    public async Task Messages_without_a_unique_Message_ID_are_matched_by_content_and_stay_unseen()
    {
        string tag = TestBedFixture.NewUser("po");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        string[] bodies =
        [
            "Subject: no id\r\nFrom: a@example.org\r\n\r\nno Message-ID at all\r\n",
            $"Subject: shared A\r\nMessage-ID: <shared-{tag}@example.org>\r\nFrom: a@example.org\r\n\r\nalpha\r\n..dot line\r\n",
            $"Subject: shared B\r\nMessage-ID: <shared-{tag}@example.org>\r\nFrom: a@example.org\r\n\r\nbeta\r\n",
            $"Subject: unique\r\nMessage-ID: <unique-{tag}@example.org>\r\nFrom: a@example.org\r\n\r\nheaders suffice\r\n",
        ];

        // Each side gets its own delivery trace, as the alias's two LMTP transactions give it: sizes differ too.
        await bed.LoadAsync(copy, bodies.Select(b => Traced(copy, b)));
        await bed.LoadAsync(primary, bodies.Select(b => Traced(primary, b)));
        using var work = new TempDirectory();
        string archive = work.Sub("archive");
        await Fetcher.RunAsync(archive, Fetcher.Account(bed, bed.Imaps(copy)));
        string flagsBefore = await FlagsAsync(primary);
        string[] namesBefore = MaildirNames(primary);

        PrimaryLookReport report;
        Dictionary<string, string> subjectOfFile;
        List<string?> matched;
        using (MessageArchive a = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
            using var gate = new SemaphoreSlim(1, 1);
            var spec = new PrimarySpec(bed.Pop3s(primary), bed.Credentials, bed.Trust);
            report = await new PrimaryLookRun(a.Index, PrimaryLookRun.DefaultObserver, TimeProvider.System, gate)
                .LookAsync(bed.Imaps(copy).AccountKey, spec, CancellationToken.None);
            subjectOfFile = a.Index.AllMessages().ToDictionary(m => m.File, m => m.Metadata.Subject ?? string.Empty, StringComparer.Ordinal);
            matched = Files(a.Index, spec.Key);
        }

        Assert.Equal(4, report.Waiting);
        Assert.Equal(4, report.New);
        Assert.Equal(3, report.ReadWhole); // the unique Message-ID was enough for the fourth
        Assert.Equal(0, report.Unmatched);
        Assert.Equal(["no id", "shared A", "shared B", "unique"], matched.Select(f => subjectOfFile[f!]).Order(StringComparer.Ordinal).ToArray());

        // Read-only: still four messages, no flag changed (Maildir keeps flags in file names; doveadm shows \Seen).
        string flagsAfter = await FlagsAsync(primary);
        Assert.Equal(4, flagsAfter.Split("flags:").Length - 1);
        Assert.DoesNotContain("\\Seen", flagsAfter, StringComparison.Ordinal);
        Assert.Equal(flagsBefore, flagsAfter);
        Assert.Equal(namesBefore, MaildirNames(primary));
        Assert.Equal(4, bed.CountMessages(primary));
    }

    /// <summary>The message with the trace a final delivery to <paramref name="user"/> puts on top.</summary>
    private static byte[] Traced(string user, string message)
    {
        string date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(
            $"Return-Path: <a@example.org>\r\nDelivered-To: {user}@example.test\r\n"
            + $"Received: from mx.example.test by mail.example.test with LMTP id {user}\r\n\tfor <{user}@example.test>; {date}\r\n" + message);
    }

    /// <summary>
    /// The stored flags of every message. \Recent is left out: it belongs to whichever session sees a message first
    /// (RFC 3501 §2.3.2), doveadm's own or any POP3 login, and is not stored.
    /// </summary>
    private async Task<string> FlagsAsync(string user) =>
        (await TestBedFixture.RunAsync("doveadm", $"-c {bed.DovecotConf} fetch -u {user} flags mailbox INBOX all"))
            .Replace("\\Recent", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);

    private string[] MaildirNames(string user) =>
        new[] { "cur", "new" }.Select(d => Path.Combine(bed.Maildir(user), d)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>The archive file each ledger row was matched to.</summary>
    private static List<string?> Files(ArchiveIndex index, string primaryKey)
    {
        var files = new List<string?>();
        using SqliteCommand cmd = index.Command("SELECT file FROM primary_messages WHERE primary_key = $k", ("$k", primaryKey));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            files.Add(r.IsDBNull(0) ? null : r.GetString(0));
        return files;
    }
}
