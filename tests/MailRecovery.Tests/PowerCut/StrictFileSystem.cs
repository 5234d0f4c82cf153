using System.Diagnostics;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.PowerCut;

/// <summary>
/// tests/powercut/strictfs.c mounted on a temporary directory: a file system that keeps, across a power cut,
/// only what was fsynced (files: content at their last fsync; directories: entries at their last fsync).
/// <see cref="CutAsync"/> is the power cut: the writers must be dead; it unmounts and returns the directory
/// holding what survived. Needs root, /dev/fuse, gcc and libfuse3-dev (run-tests.sh installs them).
/// </summary>
public sealed class StrictFileSystem : IDisposable
{
    private readonly TempDirectory work = new();
    private readonly Process daemon;
    private bool mounted;

    private StrictFileSystem(string binary)
    {
        foreach (string d in new[] { "backing", "store", "mnt", "survivors" })
            Directory.CreateDirectory(work.Sub(d));
        var psi = new ProcessStartInfo(binary);
        foreach (string a in new[] { work.Sub("backing"), work.Sub("store"), work.Sub("mnt") })
            psi.ArgumentList.Add(a);
        daemon = Process.Start(psi)!;
        mounted = true;
    }

    /// <summary>Where the programs under test write.</summary>
    public string Mount => work.Sub("mnt");

    public static async Task<StrictFileSystem> MountAsync()
    {
        string binary = await BuildAsync();
        var fs = new StrictFileSystem(binary);
        for (int i = 0; i < 100 && !File.ReadAllText("/proc/self/mounts").Contains(" " + fs.Mount + " fuse", StringComparison.Ordinal); i++)
            await Task.Delay(50);
        Assert.True(File.ReadAllText("/proc/self/mounts").Contains(" " + fs.Mount + " fuse", StringComparison.Ordinal), "strictfs did not mount");
        return fs;
    }

    /// <summary>The power cut: unmounts (every writer must have exited) and builds the surviving tree.</summary>
    public async Task<string> CutAsync()
    {
        await TestBedFixture.RunAsync("umount", Mount);
        mounted = false;
        await daemon.WaitForExitAsync();
        string survivors = work.Sub("survivors");
        await TestBedFixture.RunAsync("python3", $"{Path.Combine(TestBedFixture.RepoRoot, "tests", "powercut", "survivors.py")} {work.Sub("store")} {survivors}");
        return survivors;
    }

    /// <summary>Makes everything under <paramref name="dir"/> durable (to start a scenario from a synced state).</summary>
    public static void SyncTree(string dir)
    {
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            f.Flush(flushToDisk: true);
        }

        foreach (string d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Append(dir))
            Core.IO.DirectorySync.Sync(d);
        if (Path.GetDirectoryName(dir) is { } parent)
            Core.IO.DirectorySync.Sync(parent);
    }

    private static async Task<string> BuildAsync()
    {
        string source = Path.Combine(TestBedFixture.RepoRoot, "tests", "powercut", "strictfs.c");
        string binary = Path.Combine(Path.GetTempPath(), $"mailrecovery-strictfs-{File.GetLastWriteTimeUtc(source).Ticks}");
        if (!File.Exists(binary))
        {
            string flags = (await TestBedFixture.RunAsync("pkg-config", "fuse3 --cflags --libs")).Trim();
            await TestBedFixture.RunAsync("gcc", $"-O2 -o {binary}.{Environment.ProcessId} {source} {flags}");
            File.Move($"{binary}.{Environment.ProcessId}", binary, overwrite: true);
        }

        return binary;
    }

    public void Dispose()
    {
        if (mounted)
            _ = Process.Start("umount", ["-l", Mount])?.WaitForExit(5000);
        if (!daemon.WaitForExit(5000))
            daemon.Kill();
        daemon.Dispose();
        work.Dispose();
    }
}
