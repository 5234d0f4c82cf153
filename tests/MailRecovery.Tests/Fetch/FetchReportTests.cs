using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;

namespace MailRecovery.Tests.Fetch;

public sealed class FetchReportTests
{
    [Fact]
    public void All_accounts_ok_is_0_and_the_totals_add_up()
    {
        FetchReport report = Report(Ok("a", fetched: 3, had: 1, bytes: 300), Ok("b", fetched: 2, had: 0, bytes: 50));

        Assert.Equal(ExitCodes.Ok, report.ExitCode);
        Assert.Equal(5, report.Fetched);
        Assert.Equal(1, report.AlreadyHad);
        Assert.Equal(350, report.Bytes);
        Assert.Equal(0, report.Failed);
    }

    [Fact]
    public void No_accounts_is_0() => Assert.Equal(ExitCodes.Ok, Report().ExitCode);

    [Fact]
    public void One_account_with_failed_messages_is_1()
    {
        AccountReport failing = Ok("b");
        failing.Failures.Add("uid 7: the server refused a command");

        FetchReport report = Report(Ok("a"), failing);

        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        Assert.Equal(1, report.Failed);
    }

    [Theory]
    [InlineData(FailureKind.Transient)]
    [InlineData(FailureKind.LocalStorage)]
    public void Only_temporary_account_errors_is_75(FailureKind kind) =>
        Assert.Equal(ExitCodes.TemporaryFailure, Report(Ok("a"), Failed("b", kind), Failed("c", FailureKind.Transient)).ExitCode);

    [Theory]
    [InlineData(FailureKind.Authentication)]
    [InlineData(FailureKind.Certificate)]
    [InlineData(FailureKind.Usage)]
    public void A_configuration_error_is_2_whatever_else_failed(FailureKind kind) =>
        Assert.Equal(ExitCodes.Usage, Report(Failed("a", FailureKind.Transient), Failed("b", kind), Failed("c", FailureKind.Permanent)).ExitCode);

    [Fact]
    public void A_permanent_account_error_beside_a_transient_one_is_1() =>
        Assert.Equal(ExitCodes.SomeFailed, Report(Failed("a", FailureKind.Transient), Failed("b", FailureKind.Permanent)).ExitCode);

    [Fact]
    public void Failed_messages_beside_a_transient_account_error_is_1_not_75()
    {
        AccountReport failing = Ok("b");
        failing.Failures.Add("uid 9: the server refused a command");

        Assert.Equal(ExitCodes.SomeFailed, Report(Failed("a", FailureKind.Transient), failing).ExitCode);
    }

    private static FetchReport Report(params AccountReport[] accounts) => new(accounts, TimeSpan.FromSeconds(1));

    private static AccountReport Ok(string name, int fetched = 1, int had = 0, long bytes = 100) =>
        new(name) { Fetched = fetched, AlreadyHad = had, Bytes = bytes };

    private static AccountReport Failed(string name, FailureKind kind) =>
        new(name) { Error = new MailRecoveryException(kind, FailureScope.Account, $"{name}: failed") };
}
