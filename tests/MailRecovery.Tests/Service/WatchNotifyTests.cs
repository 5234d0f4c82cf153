using System.Diagnostics;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Service;

/// <summary>`watch` as systemd starts it with Type=notify and WatchdogSec= (contrib/systemd/mailrecovery-watch.service).</summary>
[Collection(TestBedCollection.Name)]
public sealed class WatchNotifyTests(TestBedFixture bed)
{
    [Fact]
    public async Task Watch_says_ready_pings_the_watchdog_and_says_stopping_on_SIGTERM()
    {
        string user = TestBedFixture.NewUser("notify");
        using var dir = new TempDirectory();
        using var listener = new NotifyListener(dir.Sub("notify"));
        using Process watch = CliRunner.Start(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Path, ["WATCHDOG_USEC"] = "1000000" },
            "watch", "--archive", dir.Sub("archive"), "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        Task<string> stderr = watch.StandardError.ReadToEndAsync();
        try
        {
            string ready = await listener.ReceiveAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("READY=1\nSTATUS=watching 1 account(s)", ready, StringComparison.Ordinal);
            Assert.Equal("WATCHDOG=1", await listener.ReceiveAsync(TimeSpan.FromSeconds(5)));
            await TestBedFixture.RunAsync("kill", $"-TERM {watch.Id}");
            string last;
            while ((last = await listener.ReceiveAsync(TimeSpan.FromSeconds(30))) == "WATCHDOG=1")
            {
                // pings until the pass has ended
            }

            Assert.Equal("STOPPING=1", last);
            await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(watch.ExitCode == 0, $"exit {watch.ExitCode}: {await stderr}");
        }
        catch (TimeoutException e)
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
            throw new TimeoutException($"{e.Message}; watch said: {await stderr}", e);
        }
        finally
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
        }
    }
}
