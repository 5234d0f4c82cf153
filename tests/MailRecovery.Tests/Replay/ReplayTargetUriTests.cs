using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;

namespace MailRecovery.Tests.Replay;

public sealed class ReplayTargetUriTests
{
    [Fact]
    public void File_targets_are_recognised_with_their_absolute_paths()
    {
        Assert.Equal("/srv/r/Maildir", Assert.IsType<MaildirTarget>(Create("maildir:/srv/r/Maildir")).Root);
        Assert.Equal("/srv/r/in.mbox", Assert.IsType<MboxTarget>(Create("mbox:/srv/r/in.mbox")).FilePath);
        Assert.Equal("/srv/r/eml", Assert.IsType<EmlTarget>(Create("EML:/srv/r/eml")).OutputDirectory);
        Assert.Equal("/srv/r/m.zip", Assert.IsType<EmlZipTarget>(Create("emlzip:///srv/r/m.zip")).FilePath);
        Assert.Equal(Path.GetFullPath("rel/Maildir"), Assert.IsType<MaildirTarget>(Create("maildir:rel/Maildir")).Root);
        Assert.Equal("maildir:/srv/r/Maildir", Create("maildir:/srv/r/Maildir")!.Description);
    }

    [Fact]
    public void A_pipe_keeps_its_command_whole()
    {
        var pipe = Assert.IsType<PipeTarget>(Create("pipe:/opt/rt/bin/rt-mailgate --queue general --url https://rt.example.com"));

        Assert.Equal("/opt/rt/bin/rt-mailgate --queue general --url https://rt.example.com", pipe.Command);
        Assert.Equal(PipeTarget.DefaultTimeout, pipe.Timeout);
    }

    [Theory]
    [InlineData("imap://u@host/INBOX")]
    [InlineData("imaps://u@host:993/INBOX")]
    [InlineData("smtp://host:25")]
    [InlineData("smtps://host")]
    [InlineData("lmtp://host:24")]
    [InlineData("lmtp:/var/run/dovecot/lmtp")]
    [InlineData("IMAPS://u@host")]
    public void Network_targets_are_left_to_their_own_parser(string text) => Assert.Null(Create(text));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/srv/r/Maildir", "no target scheme")]
    [InlineData("maildir:", "names no path")]
    [InlineData("mbox:  ", "names no path")]
    [InlineData("eml://host/dir", "local path")]
    [InlineData("mbox:/srv/r/", "names a directory")]
    [InlineData("emlzip:/tmp", "names a directory")]
    [InlineData("pipe:", "names no command")]
    [InlineData("ftp://host/x", "is not a replay target")]
    public void Mistakes_are_usage_errors_with_a_fix(string text, string says)
    {
        var e = Assert.Throws<MailRecoveryException>(() => Create(text));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    private static IReplayTarget? Create(string text) => ReplayTargetUri.TryCreateFileTarget(text, TimeProvider.System);
}
