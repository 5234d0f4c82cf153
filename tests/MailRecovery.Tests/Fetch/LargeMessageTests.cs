using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

[Collection(TestBedCollection.Name)]
public sealed class LargeMessageTests(TestBedFixture bed)
{
    /// <summary>
    /// The CLI runs with its managed heap capped at 32 MiB (DOTNET_GCHeapHardLimit): holding the 50 MB message
    /// in memory would end in OutOfMemory, so success proves the body streamed to disk in bounded pieces.
    /// </summary>
    [Fact]
    public async Task A_50_MB_message_is_fetched_over_IMAP_with_a_32_MiB_heap()
    {
        string user = TestBedFixture.NewUser("big");
        byte[] big = TestMessages.Large(50 * 1024 * 1024, $"big.{user}@example.org");
        await bed.LoadAsync(user, [big]);
        using var dir = new TempDirectory();

        using var process = CliRunner.Start(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x2000000" },
            "fetch", "--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--json");
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(1, json.RootElement.GetProperty("fetched").GetInt32());
        Assert.Equal([FetchImapTests.Sha(big)], ArchiveSnapshot.Take(dir.Path).FileHashes);
    }
}
