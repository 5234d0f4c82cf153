using System.Text;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>Fails naming where a token or secret shows: an output, a file, a process's command line.</summary>
public static class SecretScan
{
    /// <summary>None of <paramref name="secrets"/> in any of the named texts.</summary>
    public static void AssertNone(IEnumerable<string> secrets, params (string Where, string Text)[] places)
    {
        string[] needles = Needles(secrets);
        foreach ((string where, string text) in places)
        {
            string? found = needles.FirstOrDefault(n => text.Contains(n, StringComparison.Ordinal));
            Assert.True(found is null, $"a secret ({Head(found)}…) is in {where}");
        }
    }

    /// <summary>None of <paramref name="secrets"/> in the bytes of any file under <paramref name="directory"/> (index, WAL, journal, state, messages).</summary>
    public static void AssertNoneInDirectory(IEnumerable<string> secrets, string directory)
    {
        string[] needles = Needles(secrets);
        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            string bytes = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            string? found = needles.FirstOrDefault(n => bytes.Contains(n, StringComparison.Ordinal));
            Assert.True(found is null, $"a secret ({Head(found)}…) is in the file {file}");
        }
    }

    // A JWT's signature is its unique part (the header is the same for all); whole other secrets, trimmed.
    private static string[] Needles(IEnumerable<string> secrets) =>
        secrets.Select(s => s.Trim()).Select(s => s.Count(c => c == '.') == 2 && s.StartsWith("ey", StringComparison.Ordinal) ? s[(s.LastIndexOf('.') + 1)..] : s)
            .Where(s => s.Length >= 12).Distinct().ToArray();

    private static string Head(string? s) => s is null ? "" : s[..Math.Min(8, s.Length)];
}
