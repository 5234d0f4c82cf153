using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// POP3 streams like IMAP (issue 10): a 200 MB message is fetched by a CLI process whose managed heap is capped at
/// 32 MiB (DOTNET_GCHeapHardLimit), and its peak resident memory, read from /proc while it runs, stays under 80 MB.
/// Holding the message whole (as MailKit's Pop3Client does with every RETR: 271 MB for 215 MB) would end in
/// OutOfMemory or past the bound. The test runs the JIT build through <c>dotnet</c>, whose runtime alone takes
/// ~65 MB (the native build ~30 MB), and in clear text: TLS adds a fixed ~8 MB of OpenSSL that has nothing to do
/// with the message size, and the message path after the decryption is the same.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class LargePop3MessageTests(TestBedFixture bed)
{
    private const long MessageBytes = 200L * 1000 * 1000;
    private const long MaxResidentBytes = 80L * 1000 * 1000;

    [Fact]
    public async Task A_200_MB_message_is_fetched_over_POP3_byte_exact_in_under_80_MB_of_memory()
    {
        string user = TestBedFixture.NewUser("big3");
        string sha = await WriteLargeMessageAsync(user, $"big3.{user}@example.org");
        using var dir = new TempDirectory();

        using Process process = CliRunner.Start(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x2000000" },
            "fetch", "--archive", dir.Path, "--source", $"pop3://{user}@127.0.0.1:{bed.Pop3Port}?tls=none", "--insecure",
            "--password-file", bed.PasswordFile, "--json");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakResidentBytes(process.Id));
            await Task.Delay(20);
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        using JsonDocument json = JsonDocument.Parse(await stdout);
        Assert.Equal(1, json.RootElement.GetProperty("fetched").GetInt32());
        string archived = Assert.Single(ArchiveCataloguer.ListFiles(new ArchiveLayout(dir.Path)).Values);
        await using (FileStream file = File.OpenRead(archived))
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(file)));
        Assert.InRange(peak, 1, MaxResidentBytes);
    }

    /// <summary>VmHWM of /proc/PID/status (the process's peak resident set so far), 0 once the process is gone.</summary>
    private static long PeakResidentBytes(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Writes the message straight into the user's Maildir, streamed (the test process holds no 200 MB array either),
    /// with lines that start with a dot every so often so that the download exercises dot-unstuffing. Returns its SHA-256.
    /// </summary>
    private async Task<string> WriteLargeMessageAsync(string user, string messageId)
    {
        string cur = Path.Combine(bed.Maildir(user), "cur");
        Directory.CreateDirectory(cur);
        Directory.CreateDirectory(Path.Combine(bed.Maildir(user), "new"));
        Directory.CreateDirectory(Path.Combine(bed.Maildir(user), "tmp"));
        byte[] head = Encoding.ASCII.GetBytes($"Message-ID: <{messageId}>\r\nFrom: big@example.org\r\nTo: support@example.test\r\nSubject: large over POP3\r\n\r\n");
        byte[] line = Encoding.ASCII.GetBytes(new string('x', 76) + "\r\n");
        byte[] dotted = Encoding.ASCII.GetBytes("." + new string('y', 75) + "\r\n");
        byte[] block = new byte[line.Length * 1000];
        for (int i = 0; i < 1000; i++)
            (i % 100 == 0 ? dotted : line).CopyTo(block, i * line.Length);
        long blocks = (MessageBytes - head.Length) / block.Length;
        long size = head.Length + (blocks * block.Length);
        string path = Path.Combine(cur, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.M0P1.testbed,S={size}:2,");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1024 * 1024))
        {
            await file.WriteAsync(head);
            hash.AppendData(head);
            for (long b = 0; b < blocks; b++)
            {
                await file.WriteAsync(block);
                hash.AppendData(block);
            }
        }

        await TestBedFixture.RunAsync("chown", $"-R mail:mail {Path.Combine(bed.Dir, "home", user)}");
        await bed.DoveadmAsync($"force-resync -u {user} INBOX");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
