using MailRecovery.Core.Archive;

namespace MailRecovery.Tests.Archive;

public sealed class MaildirFileNameTests
{
    // 2026-11-26T10:00:00.1234567Z: the last digit (100 ns) is below the name's resolution.
    private static readonly DateTimeOffset ArchivedAt = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

    [Theory]
    [InlineData(ReceivedTimeSource.ReceivedHeader, "h")]
    [InlineData(ReceivedTimeSource.InternalDate, "i")]
    [InlineData(ReceivedTimeSource.FetchTime, "f")]
    public void Create_and_TryParse_round_trip_to_the_microsecond(ReceivedTimeSource source, string code)
    {
        string name = MaildirFileName.Create(ArchivedAt, 4242, 7, "mx1", 1234, source);

        Assert.Equal($"{ArchivedAt.ToUnixTimeSeconds()}.M123456P4242Q7.mx1,S=1234,R={code}", name);
        Assert.True(MaildirFileName.TryParse(name, out DateTimeOffset archivedAt, out ReceivedTimeSource parsed));
        Assert.Equal(ArchivedAt.AddTicks(-7), archivedAt);
        Assert.Equal(source, parsed);
    }

    [Fact]
    public void Microseconds_below_a_millisecond_survive()
    {
        DateTimeOffset at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(50); // 5 µs

        string name = MaildirFileName.Create(at, 1, 1, "h", 1, ReceivedTimeSource.FetchTime);

        Assert.True(MaildirFileName.TryParse(name, out DateTimeOffset parsed, out _));
        Assert.Equal(at, parsed);
    }

    [Fact]
    public void Slash_colon_and_comma_in_the_host_are_escaped()
    {
        string name = MaildirFileName.Create(ArchivedAt, 1, 1, "a/b:c,d", 10, ReceivedTimeSource.InternalDate);

        Assert.Contains(@".a\057b\072c\054d,S=10,R=i", name, StringComparison.Ordinal);
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain(':', name);
        Assert.Equal(name, MaildirFileName.BaseOf(name + MaildirFileName.InfoSuffix));
        Assert.True(MaildirFileName.TryParse(name, out _, out ReceivedTimeSource source));
        Assert.Equal(ReceivedTimeSource.InternalDate, source);
    }

    [Theory]
    [InlineData("1234.M5P6Q7.host,S=1,R=h:2,", "1234.M5P6Q7.host,S=1,R=h")]
    [InlineData("1234.M5P6Q7.host,S=1,R=h:2,FS", "1234.M5P6Q7.host,S=1,R=h")]
    [InlineData("1234.abc.host", "1234.abc.host")]
    public void BaseOf_drops_the_info_part_and_its_flags(string fileName, string expected) =>
        Assert.Equal(expected, MaildirFileName.BaseOf(fileName));

    [Theory]
    [InlineData("1234.abc.host")]
    [InlineData("1234.M5P6Q7.host,S=1")]
    [InlineData("1234.M5P6Q7.host,S=1,R=")]
    [InlineData("msg.1234.host,R=h")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void TryParse_is_false_for_names_MailRecovery_did_not_write(string name) =>
        Assert.False(MaildirFileName.TryParse(name, out _, out _));

    // Foreign files often start with a millisecond Unix time or a yyyyMMddHHmmss stamp: too large for FromUnixTimeSeconds.
    [Theory]
    [InlineData("1764150000123.abc.host")]
    [InlineData("20261126100000.abc.host,S=10,R=h")]
    [InlineData("1234.M999999999999999999P1Q1.h,S=1,R=h")]
    public void TryParse_is_false_not_a_throw_for_out_of_range_numbers(string name) =>
        Assert.False(MaildirFileName.TryParse(name, out _, out _));
}
