using System.Diagnostics;
using System.Globalization;
using System.Text;
using Prometheus;

namespace MailRecovery.Tests.Metrics;

/// <summary>
/// Reads Prometheus text exposition the way Prometheus does: <c>promtool check metrics</c> (Debian package
/// <c>prometheus</c>, installed by run-tests.sh) parses and lints it; samples are then looked up by name and labels.
/// </summary>
internal static class Exposition
{
    public static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Runs promtool with <paramref name="stdin"/>; fails the test, naming the package, when promtool is missing.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(string? stdin, params string[] args)
    {
        if (!File.Exists("/usr/bin/promtool"))
            Assert.Fail("promtool is missing: install the Debian package 'prometheus' (apt-get install --no-install-recommends prometheus); run-tests.sh does.");
        var psi = new ProcessStartInfo("/usr/bin/promtool") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> error = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output + await error);
    }

    /// <summary>Asserts that <c>promtool check metrics</c> parses <paramref name="text"/> and finds nothing against the naming conventions.</summary>
    public static async Task AssertValidAsync(string text)
    {
        (int code, string output) = await PromtoolAsync(text, "check", "metrics");
        Assert.True(code == 0, $"promtool check metrics: exit {code}: {output}\n{text}");
    }

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels contain each of <paramref name="labels"/> (e.g. <c>kind="transient"</c>); null when absent.</summary>
    public static double? Value(string text, string name, params string[] labels)
    {
        double? found = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || line[name.Length] is not ('{' or ' '))
                continue;
            int valueAt = line.LastIndexOf(' ');
            string series = line[..valueAt];
            if (!labels.All(l => series.Contains(l, StringComparison.Ordinal)))
                continue;
            Assert.True(found is null, $"more than one sample of {name} {string.Join(",", labels)}");
            string value = line[(valueAt + 1)..];
            found = value == "+Inf" ? double.PositiveInfinity : double.Parse(value, CultureInfo.InvariantCulture);
        }

        return found;
    }
}
