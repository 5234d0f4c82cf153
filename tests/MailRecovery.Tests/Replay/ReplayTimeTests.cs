using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>How the times of a replay window are read: offsets, local times in a zone, and a backup's time.</summary>
public sealed class ReplayTimeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("2026-11-26T02:00:00Z", "2026-11-26T02:00:00", 0)]
    [InlineData("2026-11-26T02:00Z", "2026-11-26T02:00:00", 0)]
    [InlineData("2026-11-26T02:00:00+09:00", "2026-11-25T17:00:00", 9)]
    [InlineData("2026-11-26T02:00:00-05:00", "2026-11-26T07:00:00", -5)]
    [InlineData(" 2026-11-26T02:00-05:00 ", "2026-11-26T07:00:00", -5)]
    public void An_explicit_offset_is_kept_whatever_the_zone(string text, string utc, int offsetHours)
    {
        foreach (string zone in new[] { "Asia/Tokyo", "Europe/Berlin", "UTC" })
        {
            DateTimeOffset t = ReplayTime.Parse(text, ReplayTime.Zone(zone), "--since");

            Assert.Equal(Utc(utc), t.UtcDateTime);
            Assert.Equal(TimeSpan.FromHours(offsetHours), t.Offset);
        }
    }

    [Theory]
    [InlineData("2026-11-26 02:00", "Asia/Tokyo", "2026-11-25T17:00:00", 9)]
    [InlineData("2026-11-26T02:00:30", "Asia/Tokyo", "2026-11-25T17:00:30", 9)]
    [InlineData("2026-11-26 02:00", "Europe/Berlin", "2026-11-26T01:00:00", 1)] // winter time, CET
    [InlineData("2026-11-26T02:00:30", "Europe/Berlin", "2026-11-26T01:00:30", 1)]
    [InlineData("2026-07-01 02:00", "Europe/Berlin", "2026-07-01T00:00:00", 2)] // summer time, CEST
    [InlineData("2026-03-29 01:59:59", "Europe/Berlin", "2026-03-29T00:59:59", 1)] // just before spring-forward
    [InlineData("2026-03-29 03:00", "Europe/Berlin", "2026-03-29T01:00:00", 2)] // just after it
    [InlineData("2026-11-26", "Asia/Tokyo", "2026-11-25T15:00:00", 9)]
    [InlineData("2026-11-26 02:00:00.250", "UTC", "2026-11-26T02:00:00.250", 0)]
    public void A_local_time_is_read_in_the_given_zone(string text, string zone, string utc, int offsetHours)
    {
        DateTimeOffset t = ReplayTime.Parse(text, ReplayTime.Zone(zone), "--since");

        Assert.Equal(Utc(utc), t.UtcDateTime);
        Assert.Equal(TimeSpan.FromHours(offsetHours), t.Offset);
    }

    [Theory]
    [InlineData("2026-03-29 02:00")]
    [InlineData("2026-03-29T02:30:00")]
    [InlineData("2026-03-29 02:59:59")]
    public void A_local_time_in_the_spring_forward_gap_is_a_usage_error_asking_for_an_offset(string text)
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.Parse(text, ReplayTime.Zone("Europe/Berlin"), "--until"));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("--until", e.Message, StringComparison.Ordinal);
        Assert.Contains("Europe/Berlin", e.Message, StringComparison.Ordinal);
        Assert.Contains("offset", e.UserText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("26/11/2026 02:00")]
    [InlineData("2026-13-01")]
    [InlineData("2026-11-26T25:00Z")]
    [InlineData("2026-11-26T02:00+09:00 tomorrow")]
    public void Text_that_is_not_a_time_is_a_usage_error_showing_the_accepted_forms(string text)
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.Parse(text, TimeZoneInfo.Utc, "--since"));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.StartsWith("--since", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
        Assert.Contains("2026-11-26T02:00:00+09:00", e.Fix, StringComparison.Ordinal);
        Assert.Contains("2026-11-26T02:00Z", e.Fix, StringComparison.Ordinal);
        Assert.Contains("2026-11-26 02:00", e.Fix, StringComparison.Ordinal);
        Assert.Contains("--tz", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_zone_is_the_machines_zone(string? id) =>
        Assert.Same(TimeZoneInfo.Local, ReplayTime.Zone(id));

    [Theory]
    [InlineData("Asia/Tokyo")]
    [InlineData("Europe/Berlin")]
    [InlineData("UTC")]
    public void An_IANA_zone_is_found(string id) =>
        Assert.Equal(id, ReplayTime.Zone(id).Id);

    [Fact]
    public void An_unknown_zone_is_a_usage_error()
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.Zone("Nowhere/City"));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("Nowhere/City", e.Message, StringComparison.Ordinal);
        Assert.Contains("IANA", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_backup_time_is_the_newest_file_anywhere_in_the_tree_rounded_down_to_the_second()
    {
        string root = dir.Sub("restored");
        string newest = Touch(root, "a/b/c/deep.db", Utc("2026-11-26T01:30:45.9876543"));
        Touch(root, "top.db", Utc("2026-11-25T20:00:00.25"));
        Touch(root, "a/middle.db", Utc("2026-11-26T01:00:00"));
        Touch(root, "a/b/other.db", Utc("2026-11-26T01:30:44.999"));

        // Directories get a newer time than any file: only files tell when the backup was taken.
        foreach (string d in Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            Directory.SetLastWriteTimeUtc(d, Utc("2027-01-01T00:00:00"));

        DateTimeOffset t = ReplayTime.BackupTime(root);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 1, 30, 45, TimeSpan.Zero), t);
        Assert.Equal(TimeSpan.Zero, t.Offset);
        Assert.Equal(0, t.Ticks % TimeSpan.TicksPerSecond);
        Assert.Equal(t, ReplayTime.BackupTime(newest)); // a single file of the backup works too
    }

    [Fact]
    public void A_backup_time_already_on_a_whole_second_stays_there()
    {
        string root = dir.Sub("restored");
        Touch(root, "x/mail.db", Utc("2026-11-26T01:30:45"));

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 1, 30, 45, TimeSpan.Zero), ReplayTime.BackupTime(root));
    }

    [Fact]
    public void A_directory_without_files_has_no_backup_time()
    {
        Directory.CreateDirectory(dir.Sub("empty/only/dirs"));

        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.BackupTime(dir.Sub("empty")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("--since-backup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_has_no_backup_time()
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.BackupTime(dir.Sub("not-there")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-10-25 02:30", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00")]
    [InlineData("America/New_York", "2026-11-01T01:15", "2026-11-01T01:15:00-04:00", "2026-11-01T01:15:00-05:00")]
    public void A_local_time_that_occurs_twice_is_refused_with_both_instants_and_the_fix(string zone, string text, string earlier, string later)
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.Parse(text, ReplayTime.Zone(zone), "--since"));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(2, ExitCodes.For(e));
        Assert.Contains("occurs twice", e.Message, StringComparison.Ordinal);
        Assert.Contains(earlier, e.Message, StringComparison.Ordinal);
        Assert.Contains(later, e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.IndexOf(earlier, StringComparison.Ordinal) < e.Message.IndexOf(later, StringComparison.Ordinal), "the earlier instant comes first");
        Assert.Contains($"--since {earlier}", e.Fix, StringComparison.Ordinal);

        // Each candidate, written with its offset, is accepted as exactly that instant.
        Assert.Equal(DateTimeOffset.Parse(earlier, System.Globalization.CultureInfo.InvariantCulture), ReplayTime.Parse(earlier, ReplayTime.Zone(zone), "--since"));
    }

    [Fact]
    public void A_local_time_in_the_gap_names_the_jump_and_an_offset_to_give()
    {
        var e = Assert.Throws<MailRecoveryException>(() => ReplayTime.Parse("2026-03-29 02:30", ReplayTime.Zone("Europe/Berlin"), "--since"));

        Assert.Equal(2, ExitCodes.For(e));
        Assert.Contains("from 02:00 to 03:00", e.Message, StringComparison.Ordinal);
        Assert.Contains("2026-03-29 01:00:00 UTC", e.Message, StringComparison.Ordinal);
        Assert.Contains("--since 2026-03-29T02:00:00+01:00", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hours_next_to_a_change_are_still_one_instant_each()
    {
        TimeZoneInfo berlin = ReplayTime.Zone("Europe/Berlin");

        Assert.Equal(Utc("2026-10-24T23:59:00"), ReplayTime.Parse("2026-10-25 01:59", berlin, "--since").UtcDateTime);
        Assert.Equal(Utc("2026-10-25T02:00:00"), ReplayTime.Parse("2026-10-25 03:00", berlin, "--since").UtcDateTime);
    }

    [Theory]
    [InlineData("backup.tar", false)]
    [InlineData("backup.tar.gz", true)]
    [InlineData("backup.tgz", true)]
    public async Task A_tarball_gives_its_newest_member_not_its_own_write_time(string name, bool gzip)
    {
        string path = dir.Sub(name);
        await using (var file = File.Create(path))
        await using (Stream s = gzip ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest) : file)
        await using (var tar = new System.Formats.Tar.TarWriter(s))
        {
            await tar.WriteEntryAsync(TarFile("helpdesk/old.db", "2026-11-25T20:00:00Z"));
            await tar.WriteEntryAsync(TarFile("helpdesk/spool/newest.eml", "2026-11-26T01:30:45.75Z"));
            await tar.WriteEntryAsync(TarFile("helpdesk/mid.db", "2026-11-26T01:00:00Z"));
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "helpdesk/") { ModificationTime = DateTimeOffset.Parse("2027-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) });
        }

        File.SetLastWriteTimeUtc(path, Utc("2026-11-26T03:00:00")); // the backup run ended later

        BackupStart start = BackupTimeReader.Find(path, TimeZoneInfo.Utc);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 1, 30, 45, TimeSpan.Zero), start.Time);
        Assert.Equal($"{path}: helpdesk/spool/newest.eml", start.SetBy);
    }

    [Fact]
    public async Task A_zip_gives_its_newest_member_read_in_the_zone_and_two_seconds_early()
    {
        string path = dir.Sub("backup.zip");
        await using (var file = File.Create(path))
        using (var zip = new System.IO.Compression.ZipArchive(file, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var (name, local) in new[] { ("data/a.db", "2026-11-26T10:00:00"), ("data/b.db", "2026-11-26T10:30:46"), ("data/c.db", "2026-11-26T09:00:00") })
            {
                var entry = zip.CreateEntry(name);
                entry.LastWriteTime = new DateTimeOffset(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(9));
                await using var w = await entry.OpenAsync();
                w.WriteByte(1);
            }
        }

        BackupStart start = BackupTimeReader.Find(path, ReplayTime.Zone("Asia/Tokyo"));

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 1, 30, 44, TimeSpan.Zero), start.Time);
        Assert.Equal($"{path}: data/b.db", start.SetBy);
    }

    [Fact]
    public void A_directory_names_the_file_that_set_the_start()
    {
        string root = dir.Sub("restored");
        string newest = Touch(root, "a/newest.db", Utc("2026-11-26T01:30:45"));
        Touch(root, "b/older.db", Utc("2026-11-26T01:00:00"));

        Assert.Equal(newest, BackupTimeReader.Find(root, TimeZoneInfo.Utc).SetBy);
    }

    [Fact]
    public void A_broken_tarball_is_a_usage_error()
    {
        string path = dir.Sub("broken.tar.gz");
        File.WriteAllText(path, "not gzip at all");

        var e = Assert.Throws<MailRecoveryException>(() => BackupTimeReader.Find(path, TimeZoneInfo.Utc));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("not a readable archive", e.Message, StringComparison.Ordinal);
    }

    private static System.Formats.Tar.PaxTarEntry TarFile(string name, string mtime) =>
        new(System.Formats.Tar.TarEntryType.RegularFile, name)
        {
            ModificationTime = DateTimeOffset.Parse(mtime, System.Globalization.CultureInfo.InvariantCulture),
            DataStream = new MemoryStream([1, 2, 3]),
        };

    private static DateTime Utc(string iso) =>
        DateTime.SpecifyKind(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static string Touch(string root, string relative, DateTime mtimeUtc)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, relative);
        File.SetLastWriteTimeUtc(path, mtimeUtc);
        return path;
    }
}
