using MailRecovery.Core.IO;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.IO;

/// <summary>
/// The one-call rename a maildir batch publishes its files with (issue 15): the same contract as File.Move without
/// overwrite, which it replaces on the fetch path.
/// </summary>
public sealed class NoReplaceRenameTests : IDisposable
{
    private readonly TempDirectory dir = new();

    [Fact]
    public void A_file_moves_to_a_free_name()
    {
        string from = Write("tmp-name", "message");
        string to = dir.Sub("cur-name");

        NoReplaceRename.Move(from, to);

        Assert.False(File.Exists(from));
        Assert.Equal("message", File.ReadAllText(to));
    }

    [Fact]
    public void An_existing_name_is_never_replaced()
    {
        string from = Write("tmp-name", "new");
        string to = Write("cur-name", "archived");

        Assert.ThrowsAny<IOException>(() => NoReplaceRename.Move(from, to));

        Assert.Equal("archived", File.ReadAllText(to));
        Assert.Equal("new", File.ReadAllText(from));
    }

    [Fact]
    public void A_missing_source_fails_as_File_Move_does()
    {
        Assert.Throws<FileNotFoundException>(() => NoReplaceRename.Move(dir.Sub("gone"), dir.Sub("cur-name")));
        Assert.False(File.Exists(dir.Sub("cur-name")));
    }

    public void Dispose() => dir.Dispose();

    private string Write(string name, string text)
    {
        string path = dir.Sub(name);
        File.WriteAllText(path, text);
        return path;
    }
}
