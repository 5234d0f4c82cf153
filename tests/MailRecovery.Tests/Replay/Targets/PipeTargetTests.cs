using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

public sealed class PipeTargetTests : IDisposable
{
    // A stand-in for rt-mailgate & co: keeps stdin and the MAILRECOVERY_* variables, one pair of files per
    // message, then exits with its second argument.
    private const string Recorder =
        "#!/bin/sh\nset -e\ncat > \"$1/$MAILRECOVERY_SHA256.eml\"\nenv | grep '^MAILRECOVERY_' | sort > \"$1/$MAILRECOVERY_SHA256.env\"\n" +
        "echo \"recorder: queue full\" >&2\nexit \"${2:-0}\"\n";

    private readonly TempDirectory dir = new();

    public PipeTargetTests()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(dir.Sub("recorder.sh"), Recorder);
    }

    private string Out => dir.Sub("out");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_command_gets_the_exact_bytes_on_stdin_and_the_metadata_in_its_environment()
    {
        byte[] small = TestMessages.Simple(1, "m1@example.org");
        byte[] large = TestMessages.Large(1_000_000, "big@example.org");
        ReplayItem a = await ItemAsync(small);
        ReplayItem b = await ItemAsync(large);
        await using var target = new PipeTarget($"sh {dir.Sub("recorder.sh")} {Out} 0", TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        // Stands for MAILRECOVERY_PASSWORD and configuration overrides (a unique name: tests run in parallel).
        string secret = $"MAILRECOVERY_TEST_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(secret, "hunter2");
        try
        {
            await target.DeliverAsync(a, CancellationToken.None);
            await target.DeliverAsync(b, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable(secret, null);
        }

        Assert.Equal(small, await File.ReadAllBytesAsync(Path.Combine(Out, a.Message.Sha256 + ".eml")));
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(Out, b.Message.Sha256 + ".eml")));
        string[] env = await File.ReadAllLinesAsync(Path.Combine(Out, a.Message.Sha256 + ".env"));
        Assert.Equal(
            [
                $"MAILRECOVERY_FILE={a.Path}",
                $"MAILRECOVERY_FROM={a.Message.Metadata.From}",
                "MAILRECOVERY_MESSAGE_ID=m1@example.org",
                "MAILRECOVERY_RECEIVED=2026-11-26T10:00:00Z",
                "MAILRECOVERY_RECEIVED_SOURCE=received-header",
                $"MAILRECOVERY_SHA256={a.Message.Sha256}",
                $"MAILRECOVERY_SIZE={small.Length}",
                "MAILRECOVERY_SUBJECT=test message 1",
            ],
            env);
        Assert.Contains("sender1@example.org", a.Message.Metadata.From, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(75, DeliveryOutcome.TryLater)]
    [InlineData(3, DeliveryOutcome.Failed)]
    public async Task The_exit_status_decides_the_outcome_and_the_message_quotes_stderr(int exit, DeliveryOutcome outcome)
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget($"sh {dir.Sub("recorder.sh")} {Out} {exit}", TimeProvider.System);

        var e = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(item, CancellationToken.None));

        Assert.Equal(outcome, e.Outcome);
        Assert.Contains($"exit {(exit == 75 ? "75" : "status 3")}", e.Message, StringComparison.Ordinal);
        Assert.Contains("recorder: queue full", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_command_fails_naming_the_command()
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget("/nonexistent/rt-mailgate --queue general", TimeProvider.System);

        var e = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(item, CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("'/nonexistent/rt-mailgate' was not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_exits_0_without_reading_a_large_message_has_delivered()
    {
        ReplayItem item = await ItemAsync(TestMessages.Large(2_000_000, "big@example.org"));
        await using var target = new PipeTarget("exit 0", TimeProvider.System);

        await target.DeliverAsync(item, CancellationToken.None);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_is_uncertain()
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget("cat > /dev/null; kill -9 $$", TimeProvider.System);

        var e = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(item, CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
        Assert.Contains("signal 9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_runs_past_the_timeout_is_killed_and_uncertain()
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget("sleep 30", TimeProvider.System, TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(item, CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
        Assert.Contains("did not finish within", e.Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Cancelling_the_run_kills_the_command_and_the_outcome_is_uncertain()
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget("cat > /dev/null; sleep 30", TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var e = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(item, cts.Token));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
        Assert.Contains("cancelled", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_outcome_is_unknown_and_no_checkpoint_means_absent()
    {
        ReplayItem item = await ItemAsync(TestMessages.Simple(1));
        await using var target = new PipeTarget("cat > /dev/null", TimeProvider.System);

        string? checkpoint = target.Checkpoint(item);

        Assert.NotNull(checkpoint);
        Assert.Equal(Presence.Unknown, await target.CheckAsync(item, checkpoint, CancellationToken.None));
        Assert.Equal(Presence.Absent, await target.CheckAsync(item, null, CancellationToken.None));
        Assert.Equal("pipe:cat > /dev/null", target.JournalKey);
    }

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
