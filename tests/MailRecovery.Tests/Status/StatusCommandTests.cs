using System.Globalization;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Status;

/// <summary><c>status</c> on a real archive with a month of mail and an injected gap.</summary>
public sealed class StatusCommandTests
{
    [Fact]
    public async Task The_histogram_flags_a_day_without_mail_and_exit_code_says_attention()
    {
        using var dir = new TempDirectory();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateOnly gap = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-10);
        await FillAsync(dir.Path, now, perDay: 8, skip: gap);

        var result = await CliRunner.RunAsync("status", "--archive", dir.Path, "--tz", "UTC", "--json");

        Assert.Equal(1, result.ExitCode);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        var low = json.GetProperty("days").EnumerateArray().Where(d => d.GetProperty("low").GetBoolean()).Select(d => d.GetProperty("day").GetString()).ToList();
        Assert.Equal([gap.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], low);
        Assert.Contains(json.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("was the copy arriving?", StringComparison.Ordinal) && w.GetString()!.Contains("usual 8", StringComparison.Ordinal));
        Assert.Equal(28 * 8 + 1, json.GetProperty("messages").GetInt64()); // 29 full days but the empty one, and today's single message
        Assert.Equal("imap://safety@mail.example.test:993", json.GetProperty("accounts")[0].GetProperty("account").GetString());
    }

    [Fact]
    public async Task Steady_mail_needs_no_attention_and_the_text_shows_a_bar_per_day()
    {
        using var dir = new TempDirectory();
        await FillAsync(dir.Path, DateTimeOffset.UtcNow, perDay: 5, skip: null);

        var result = await CliRunner.RunAsync("status", "--archive", dir.Path, "--tz", "UTC", "--days", "7");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ok: nothing needs attention.", result.Out, StringComparison.Ordinal);
        Assert.Equal(7, result.Out.Split('\n').Count(l => l.StartsWith("  20", StringComparison.Ordinal)));
        Assert.Contains("last alias check: never", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quiet_archive_is_reported()
    {
        using var dir = new TempDirectory();
        await FillAsync(dir.Path, DateTimeOffset.UtcNow.AddDays(-3), perDay: 5, skip: null);

        var result = await CliRunner.RunAsync("status", "--archive", dir.Path, "--quiet-hours", "24");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nothing has been archived for", result.Out, StringComparison.Ordinal);
    }

    /// <summary>perDay messages on each of the 29 days before <paramref name="now"/>, one on its day, none on <paramref name="skip"/>.</summary>
    private static async Task FillAsync(string root, DateTimeOffset now, int perDay, DateOnly? skip)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        int n = 0;
        DateTimeOffset midnight = new(now.UtcDateTime.Date, TimeSpan.Zero);
        for (int day = -29; day <= 0; day++)
        {
            DateTimeOffset date = midnight.AddDays(day);
            if (DateOnly.FromDateTime(date.UtcDateTime) == skip)
                continue;
            for (int i = 0; i < (day == 0 ? 1 : perDay); i++)
            {
                DateTimeOffset received = date.AddHours(1 + i);
                byte[] bytes = TestMessages.Simple(n, $"s{n}@example.org", received: received.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture));
                StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
                batch.Add(staged, "imap://safety@mail.example.test:993", "INBOX", 1, (++n).ToString(CultureInfo.InvariantCulture));
            }
        }

        batch.Commit();
        archive.Index.RecordAccountSuccess("imap://safety@mail.example.test:993", now);
    }
}
