using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Auth;

public sealed class TokenCommandSourceTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_first_line_of_standard_output_is_the_token()
    {
        var source = new TokenCommandSource("printf '%s\\n%s\\n' token-line-1 second-line");

        AccessToken token = await source.GetAsync(false, default);

        Assert.Equal("token-line-1", token.Value);
    }

    [Fact]
    public async Task No_shell_interprets_the_command()
    {
        string marker = dir.Sub("pwned");
        var source = new TokenCommandSource($"echo tok; touch {marker} $(touch {marker})");

        AccessToken token = await source.GetAsync(false, default);

        // echo got every word as an argument: no command separator, no substitution.
        Assert.Equal($"tok; touch {marker} $(touch {marker})", token.Value);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_failing_command_reports_its_exit_code_and_standard_error_but_not_its_output()
    {
        var source = new TokenCommandSource("sh -c 'echo leaked-token; echo \"refresh failed: offline\" >&2; exit 3'");

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => source.GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("exit code 3", e.Message);
        Assert.Contains("refresh failed: offline", e.Message);
        Assert.DoesNotContain("leaked-token", e.UserText);
    }

    [Fact]
    public async Task A_command_that_hangs_is_stopped_after_the_timeout()
    {
        var source = new TokenCommandSource("sleep 30", TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => source.GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Contains("did not finish", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_missing_program_is_a_usage_error()
    {
        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => new TokenCommandSource("/nonexistent/oama access x").GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Usage, e.Kind);
    }

    [Theory]
    [InlineData("oama access user@example.com", new[] { "oama", "access", "user@example.com" })]
    [InlineData("  a   'b c'  \"d \\\"e\\\" $f\" g\\ h ", new[] { "a", "b c", "d \"e\" $f", "g h" })]
    [InlineData("x''y \"\"", new[] { "xy", "" })]
    public void Commands_are_split_like_a_shell_splits_words(string command, string[] argv) =>
        Assert.Equal(argv, CommandLineSplitter.Split(command));

    [Theory]
    [InlineData("")]
    [InlineData("a 'b")]
    [InlineData("a \"b")]
    [InlineData("a \\")]
    public void Bad_commands_are_usage_errors(string command) =>
        Assert.Equal(FailureKind.Usage, Assert.Throws<MailRecoveryException>(() => CommandLineSplitter.Split(command)).Kind);
}
