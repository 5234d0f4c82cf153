using System.Security.Cryptography;
using MailRecovery.Core.Archive;

namespace MailRecovery.Tests.TestBed;

/// <summary>What an archive holds: the hashes of its files and of its index rows, for comparing runs.</summary>
public sealed record ArchiveSnapshot(IReadOnlyList<string> FileHashes, IReadOnlyList<string> IndexHashes, int TmpFiles)
{
    public static ArchiveSnapshot Take(string root)
    {
        var layout = new ArchiveLayout(root);
        var files = ArchiveCataloguer.ListFiles(layout).Values
            .Select(p => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(p))))
            .Order(StringComparer.Ordinal)
            .ToList();
        using ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true);
        var rows = index.AllMessages().Select(m => m.Sha256).Order(StringComparer.Ordinal).ToList();
        int tmp = Directory.Exists(layout.Tmp) ? Directory.GetFiles(layout.Tmp).Length : 0;
        return new ArchiveSnapshot(files, rows, tmp);
    }

    /// <summary>The same distinct content, each stored once, and an index that matches the files.</summary>
    public void AssertSameAs(ArchiveSnapshot clean)
    {
        Assert.Equal(clean.FileHashes, FileHashes);
        Assert.Equal(FileHashes, IndexHashes);
        Assert.Equal(FileHashes.Distinct().Count(), FileHashes.Count);
    }
}
