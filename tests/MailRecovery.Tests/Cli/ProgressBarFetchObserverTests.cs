using MailRecovery.Cli.Fetch;
using Spectre.Console;

namespace MailRecovery.Tests.Cli;

/// <summary>
/// The progress bar's texts are Spectre markup, parsed on a background thread where a bad one aborts the
/// process (it did: "[445/2000]" was read as a style tag).
/// </summary>
public sealed class ProgressBarFetchObserverTests
{
    [Theory]
    [InlineData("imaps://safety@127.0.0.1:10993", "INBOX")]
    [InlineData("[team] copy [prod]", "Support/[2026]")]
    [InlineData("pop3s://copy@mx:995", "")]
    public void Labels_with_counters_are_valid_markup_that_shows_the_names_as_written(string account, string mailbox)
    {
        string text = ProgressBarFetchObserver.Counter(ProgressBarFetchObserver.Label(account, mailbox), 445, 2000);

        var markup = new Markup(text); // throws on invalid markup
        Assert.NotNull(markup);
        Assert.Equal($"{(mailbox.Length == 0 ? account : $"{account} {mailbox}")} (445/2000)", Markup.Remove(text));
    }
}
