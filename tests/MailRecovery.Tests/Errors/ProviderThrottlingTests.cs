using MailKit.Net.Pop3;
using MailRecovery.Core.Errors;

namespace MailRecovery.Tests.Errors;

/// <summary>Which server replies are a provider's "slow down", and how long each asks to wait.</summary>
public sealed class ProviderThrottlingTests
{
    [Theory]
    [InlineData("NO [THROTTLED] Request is throttled. Suggested Backoff Time: 1500 milliseconds", 1500)]
    [InlineData("-ERR Request is throttled. Suggested Backoff Time: 250 milliseconds", 250)]
    [InlineData("NO [THROTTLED] Suggested Backoff Time: 99999999 milliseconds", 300_000)] // capped at 5 minutes
    [InlineData("NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)", 900_000)]
    [InlineData("NO Account exceeded command or bandwidth limits.", 900_000)]
    [InlineData("NO [THROTTLED] slow down", 30_000)]
    public void A_throttling_reply_asks_for_a_wait(string reply, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ProviderThrottling.Parse(reply));

    [Theory]
    [InlineData("NO [NONEXISTENT] Unknown Mailbox")]
    [InlineData("-ERR [AUTH] Authentication failed")]
    [InlineData("NO AUTHENTICATE failed.")]
    public void Other_refusals_are_not_throttling(string reply) => Assert.Null(ProviderThrottling.Parse(reply));

    [Fact]
    public void The_classifier_makes_a_throttled_refusal_transient_with_its_wait_instead_of_a_refused_command()
    {
        var pop3 = new Pop3CommandException("RETR 1: Request is throttled. Suggested Backoff Time: 2000 milliseconds");

        MailRecoveryException e = ErrorClassifier.Classify(pop3, "helpdesk");

        Assert.Equal((FailureKind.Transient, FailureScope.Account), (e.Kind, e.Scope));
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
        Assert.Contains("throttling", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_refused_command_keeps_its_classification_without_a_wait()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new Pop3CommandException("RETR 1: no such message"), "helpdesk");

        Assert.Equal(FailureKind.Permanent, e.Kind);
        Assert.Null(e.RetryAfter);
    }
}
