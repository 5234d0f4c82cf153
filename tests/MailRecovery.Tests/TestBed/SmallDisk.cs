namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A real small file system: a tmpfs of a few MiB mounted under a temporary directory (the tests run as root,
/// as CI does), which <see cref="FillAsync"/> fills to the last byte, so that writes fail with ENOSPC.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private readonly TempDirectory dir = new();

    private SmallDisk() => Path = dir.Sub("small");

    public string Path { get; }

    public static async Task<SmallDisk> MountAsync(string size = "4m")
    {
        var disk = new SmallDisk();
        Directory.CreateDirectory(disk.Path);
        await TestBedFixture.RunAsync("mount", $"-t tmpfs -o size={size} tmpfs {disk.Path}");
        return disk;
    }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a filler file until the file system says it is full; returns the filler's path.</summary>
    public async Task<string> FillAsync()
    {
        string filler = Sub("filler");
        var block = new byte[4096];
        await using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        try
        {
            while (true)
                await file.WriteAsync(block);
        }
        catch (IOException)
        {
            // Full: the last partial block may not fit either; that is the point.
        }

        return filler;
    }

    public async Task ResizeAsync(string size) => await TestBedFixture.RunAsync("mount", $"-o remount,size={size} {Path}");

    public async ValueTask DisposeAsync()
    {
        await TestBedFixture.RunAsync("umount", Path);
        dir.Dispose();
    }
}
