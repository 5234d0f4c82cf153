using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Metrics;

/// <summary>`watch --metrics` as an admin runs it: a real process, scraped over HTTP, parsed by promtool.</summary>
[Collection(TestBedCollection.Name)]
public sealed class WatchMetricsServerTests(TestBedFixture bed)
{
    [Fact]
    public async Task Watch_serves_metrics_that_promtool_parses_and_that_count_mail_as_it_arrives()
    {
        string user = TestBedFixture.NewUser("mx");
        await bed.LoadAsync(user, [TestMessages.Simple(0, $"mx0.{user}@example.org")]);
        using var dir = new TempDirectory();
        int port = FreePort();
        string account = $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX";
        using Process watch = CliRunner.Start(null, "watch", "--archive", dir.Sub("archive"), "--source", account,
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--metrics", $"127.0.0.1:{port}");
        Task<string> stderr = watch.StandardError.ReadToEndAsync();
        Task<string> stdout = watch.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var url = new Uri($"http://127.0.0.1:{port}/metrics");
            string label = $"account=\"{account}\"";
            string first = await ScrapeUntilAsync(http, url, watch, t => Exposition.Value(t, "mailrecovery_messages_archived_total", label) == 1 && Exposition.Value(t, "mailrecovery_idle_active", label) == 1);
            await Exposition.AssertValidAsync(first);
            double bytesBefore = Exposition.Value(first, "mailrecovery_archived_bytes_total", label)!.Value;
            Assert.True(bytesBefore > 0);
            Assert.True(Exposition.Value(first, "mailrecovery_passes_total", label) >= 1);
            Assert.Equal(0, Exposition.Value(first, "mailrecovery_pass_failures_total", label, "kind=\"authentication\""));
            double lastSuccess = Exposition.Value(first, "mailrecovery_last_successful_pass_timestamp_seconds", label)!.Value;
            Assert.InRange(lastSuccess, DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
            Assert.InRange(Exposition.Value(first, "mailrecovery_last_successful_pass_age_seconds", label)!.Value, 0, 120);
            Assert.Equal(0, Exposition.Value(first, "mailrecovery_replay_messages", "state=\"delivered\""));
            Assert.NotNull(Exposition.Value(first, "process_start_time_seconds"));

            // Two messages through Postfix: IDLE wakes the next pass, and the counters move.
            await bed.SendAsync($"{user}@example.test", "metrics one");
            await bed.SendAsync($"{user}@example.test", "metrics two");
            string after = await ScrapeUntilAsync(http, url, watch, t => Exposition.Value(t, "mailrecovery_messages_archived_total", label) == 3);
            await Exposition.AssertValidAsync(after);
            Assert.True(Exposition.Value(after, "mailrecovery_archived_bytes_total", label) > bytesBefore);
            Assert.True(Exposition.Value(after, "mailrecovery_passes_total", label) >= 2);
            Assert.True(Exposition.Value(after, "mailrecovery_last_successful_pass_timestamp_seconds", label) > lastSuccess);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{e.Message}\nwatch said: {await stderr}{await stdout}", e);
        }
        finally
        {
            if (!watch.HasExited)
                watch.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_metrics_port_in_use_is_a_temporary_failure_naming_the_fix_not_a_stack_trace()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        using var dir = new TempDirectory();
        CliRunner.Result result = await CliRunner.RunAsync("watch", "--archive", dir.Sub("archive"), "--source", "imaps://nobody@127.0.0.1:1/INBOX",
            "--password-file", bed.PasswordFile, "--metrics", $"127.0.0.1:{port}");
        Assert.Equal(75, result.ExitCode);
        Assert.Contains($"cannot serve metrics on 127.0.0.1:{port}: the port is in use", result.Error, StringComparison.Ordinal);
        Assert.Contains("fix: choose another port in --metrics", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:9750")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1")]
    public async Task A_bad_metrics_address_is_a_usage_error_with_an_example(string listen)
    {
        using var dir = new TempDirectory();
        CliRunner.Result result = await CliRunner.RunAsync("watch", "--archive", dir.Sub("archive"), "--source", "imaps://nobody@127.0.0.1:1/INBOX",
            "--password-file", bed.PasswordFile, "--metrics", listen);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--metrics '{listen}' is not ADDRESS:PORT", result.Error, StringComparison.Ordinal);
        Assert.Contains("e.g. --metrics 127.0.0.1:9750", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("archive")), "nothing is created before the arguments are checked");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Scrapes every 200 ms until <paramref name="done"/> holds (60 s at most; the server may not be up at first).</summary>
    private static async Task<string> ScrapeUntilAsync(HttpClient http, Uri url, Process watch, Func<string, bool> done)
    {
        var sw = Stopwatch.StartNew();
        string last = "(no scrape answered)";
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (watch.HasExited)
                throw new TimeoutException($"watch exited with {watch.ExitCode}");
            try
            {
                last = await http.GetStringAsync(url);
                if (done(last))
                    return last;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the metrics did not reach the expected values within 60 s; last scrape:\n{last}");
    }
}
