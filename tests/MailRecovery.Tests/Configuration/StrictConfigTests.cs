using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>
/// Issue 10: a misspelt key ("mailboxs") silently fetched only INBOX. Every unknown key, anywhere, is now a usage
/// error that names the key, its path and the closest valid key; a wrong shape says what the key expects in words.
/// </summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class StrictConfigTests : IDisposable
{
    private const string Account = """ "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" """;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    public static TheoryData<string, string> Unknown() => new()
    {
        { $$"""{ "archive": "a", "accounts": [ { {{Account}}, "mailboxs": ["INBOX", "Junk"] } ] }""", "accounts[0].mailboxs: unknown key; did you mean \"mailboxes\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}}, "mailbox": "Junk" } ] }""", "accounts[0].mailbox: unknown key; did you mean \"mailboxes\"?" },
        { $$"""{ "archve": "a", "accounts": [ { {{Account}} } ] }""", "archve: unknown key; did you mean \"archive\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}}, "primary": { {{Account}}, "hots": "x" } } ] }""", "accounts[0].primary.hots: unknown key; did you mean \"host\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "probe": { "everyMinute": 5 } }""", "probe.everyMinute: unknown key; did you mean \"everyMinutes\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "replay": { "passwrdFile": "x" } }""", "replay.passwrdFile: unknown key; did you mean \"passwordFile\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "status": { "maxWaitingMinute": 5 } }""", "status.maxWaitingMinute: unknown key; did you mean \"maxWaitingMinutes\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "watch": { "pollSecond": 5 } }""", "watch.pollSecond: unknown key; did you mean \"pollSeconds\"?" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "colour": "blue" }""", "colour: unknown key" },
    };

    [Theory]
    [MemberData(nameof(Unknown))]
    public void An_unknown_key_is_named_with_its_path_and_the_closest_key(string json, string expected)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write(json)));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }

    public static TheoryData<string, string> WrongShape() => new()
    {
        { $$"""{ "archive": "a", "accounts": [ { {{Account}}, "mailboxes": "Junk" } ] }""", "accounts[0].mailboxes: expects a list of mailbox names" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}}, "port": { "n": 1 } } ] }""", "accounts[0].port: expects a whole number from 1 to 65535" },
        { $$"""{ "archive": "a", "accounts": { "first": { {{Account}} } } }""", "accounts: expects a list of accounts" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "watch": 60 }""", "watch: expects a section" },
        { $$"""{ "archive": "a", "accounts": [ { {{Account}} } ], "watch": { "pollSeconds": "often" } }""", "watch.pollSeconds: 'often' is not a whole number from 1 to 86400" },
    };

    [Theory]
    [MemberData(nameof(WrongShape))]
    public void A_wrong_type_says_what_the_key_expects_in_words(string json, string expected)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write(json)));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", e.UserText, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_matched_without_regard_to_case_as_before()
    {
        MailRecoveryConfig config = ConfigLoader.Load(Write($$"""{ "Archive": "a", "accounts": [ { {{Account}}, "Mailboxes": ["INBOX", "Junk"] } ] }"""));

        Assert.Equal(["INBOX", "Junk"], config.Accounts[0].Endpoint.Mailboxes);
    }

    [Fact]
    public void An_unknown_key_set_by_an_environment_variable_names_the_variable()
    {
        string path = Write($$"""{ "archive": "a", "accounts": [ { {{Account}} } ] }""");

        WithVariable("MAILRECOVERY_ACCOUNTS__0__MAILBOXS", "Junk", () =>
        {
            MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));
            Assert.Contains("accounts[0].mailboxs (set by the environment variable MAILRECOVERY_ACCOUNTS__0__MAILBOXS): unknown key; did you mean \"mailboxes\"?", e.Message, StringComparison.Ordinal);
        });
        WithVariable("MAILRECOVERY_ARCHVE", "/srv/a", () =>
        {
            MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));
            Assert.Contains("MAILRECOVERY_ARCHVE", e.Message, StringComparison.Ordinal);
            Assert.Contains("\"archive\"", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_tools_other_variables_are_not_taken_for_configuration_keys()
    {
        string path = Write($$"""{ "archive": "a", "accounts": [ { {{Account}} } ] }""");

        WithVariable("MAILRECOVERY_PASSWORD", "secret", () =>
            WithVariable("MAILRECOVERY_SUBJECT", "x", () => Assert.Single(ConfigLoader.Load(path).Accounts)));
    }

    private static void WithVariable(string name, string value, Action test)
    {
        string? before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }

    private string Write(string json)
    {
        string path = dir.Sub("mailrecovery.json");
        File.WriteAllText(path, json);
        return path;
    }
}
