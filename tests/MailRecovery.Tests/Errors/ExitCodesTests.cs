using MailRecovery.Core.Errors;

namespace MailRecovery.Tests.Errors;

public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(FailureKind.Usage, 2)]
    [InlineData(FailureKind.Authentication, 2)]
    [InlineData(FailureKind.Certificate, 2)]
    [InlineData(FailureKind.Transient, 75)]
    [InlineData(FailureKind.LocalStorage, 75)]
    [InlineData(FailureKind.Permanent, 1)]
    public void Each_failure_kind_has_its_exit_code(FailureKind kind, int code) =>
        Assert.Equal(code, ExitCodes.For(new MailRecoveryException(kind, FailureScope.Account, "x")));

    [Fact]
    public void Every_failure_kind_is_mapped_to_a_non_zero_code()
    {
        foreach (FailureKind kind in Enum.GetValues<FailureKind>())
            Assert.Contains(ExitCodes.For(new MailRecoveryException(kind, FailureScope.Run, "x")), new[] { 1, 2, 75 });
    }
}
