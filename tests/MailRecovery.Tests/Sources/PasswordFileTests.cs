using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Sources;

/// <summary>Issue 10: a password file others can read is refused (as ssh and fetchmail do), and so is trailing whitespace.</summary>
public sealed class PasswordFileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite)]
    public async Task A_password_file_group_or_others_can_read_is_refused_with_chmod_600(UnixFileMode open)
    {
        string path = dir.Sub("pw");
        await SecretFile.WriteAsync(path, "s3cret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | open);

        var e = Assert.Throws<MailRecoveryException>(() => new SourceCredentials(path, null).Read("safety@mail"));

        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Equal($"chmod 600 {path}", e.Fix);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_password_file_is_read_through_a_link_as_secret_stores_mount_them()
    {
        string path = dir.Sub("pw");
        await SecretFile.WriteAsync(path, "s3cret\r\nsecond line\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        File.CreateSymbolicLink(dir.Sub("link"), path);

        Assert.Equal("s3cret", new SourceCredentials(dir.Sub("link"), null).Read("safety@mail"));
    }

    [Theory]
    [InlineData("s3cret \n")]
    [InlineData("s3cret\t\n")]
    [InlineData("s3cret  ")]
    public async Task Trailing_whitespace_on_the_password_line_is_refused_with_a_hint_not_sent(string content)
    {
        string path = dir.Sub("pw");
        await SecretFile.WriteAsync(path, content);

        var e = Assert.Throws<MailRecoveryException>(() => new SourceCredentials(path, null).Read("safety@mail"));

        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Contains("ends in a space or tab", e.Message, StringComparison.Ordinal);
        Assert.Contains("printf", e.Fix, StringComparison.Ordinal);
    }
}
