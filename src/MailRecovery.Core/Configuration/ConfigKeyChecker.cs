using System.Globalization;
using MailRecovery.Core.Errors;
using Microsoft.Extensions.Configuration;

namespace MailRecovery.Core.Configuration;

/// <summary>
/// Walks the merged configuration (file and environment) against <see cref="ConfigSchema"/> before anything is
/// read from it: an unknown key is an error naming the key, its path and the closest known key; a list where a
/// value belongs (or the other way round) names what the key expects, in words.
/// </summary>
internal static class ConfigKeyChecker
{
    /// <param name="origins">The environment variable that set each configuration path (lower case, ':' between levels).</param>
    public static void Check(IConfiguration root, IReadOnlyDictionary<string, string> origins)
    {
        ArgumentNullException.ThrowIfNull(root);
        CheckSection(root.GetChildren(), ConfigSchema.Root, origins);
    }

    /// <summary>The path as a user reads it: <c>accounts[0].primary.mailboxes</c>.</summary>
    public static string Display(string configPath)
    {
        var text = new System.Text.StringBuilder();
        foreach (string segment in configPath.Split(':'))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit) && text.Length > 0)
                text.Append('[').Append(segment).Append(']');
            else
                text.Append(text.Length > 0 ? "." : string.Empty).Append(segment);
        }

        return text.ToString();
    }

    /// <summary>The known key nearest to <paramref name="unknown"/> (case ignored), or null when none is near enough to be a typo.</summary>
    public static string? Closest(string unknown, IEnumerable<string> known, int maxDistance)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in known)
        {
            int d = Distance(unknown.ToLowerInvariant(), k.ToLowerInvariant());

            // A key that starts the same way ("mailbox" for "mailboxes") is a likely slip however long the rest.
            if (unknown.Length >= 4 && (k.StartsWith(unknown, StringComparison.OrdinalIgnoreCase) || unknown.StartsWith(k, StringComparison.OrdinalIgnoreCase)))
                d = Math.Min(d, 1);
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }

        return bestDistance <= maxDistance ? best : null;
    }

    /// <summary>The distance a typo is allowed: 2 edits, or a third of the key's length if longer.</summary>
    public static int TypoDistance(string key) => Math.Max(2, key.Length / 3);

    private static void CheckSection(IEnumerable<IConfigurationSection> children, ConfigKey schema, IReadOnlyDictionary<string, string> origins)
    {
        IReadOnlyList<ConfigKey> known = schema.Children ?? [];
        foreach (IConfigurationSection child in children)
        {
            ConfigKey? key = known.FirstOrDefault(k => string.Equals(k.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                string? near = Closest(child.Key, known.Select(k => k.Name), TypoDistance(child.Key));
                string names = string.Join(", ", known.Select(k => $"\"{k.Name}\""));
                throw Error(child.Path, origins, "unknown key" + (near is null ? string.Empty : $"; did you mean \"{near}\"?"),
                    near is null ? $"remove it; the keys here are {names}." : $"rename it to \"{near}\" (the keys here are {names}).");
            }

            CheckShape(child, key, origins);
        }
    }

    private static void CheckShape(IConfigurationSection node, ConfigKey key, IReadOnlyDictionary<string, string> origins)
    {
        IConfigurationSection[] children = node.GetChildren().ToArray();

        // An empty JSON array or object arrives as an empty value: it means "nothing here" in every shape.
        bool scalar = children.Length == 0 && !string.IsNullOrEmpty(node.Value);
        switch (key.Shape)
        {
            case ConfigShape.Value when children.Length > 0:
                throw Error(node.Path, origins, $"expects {key.Expected}, not a list or a section", $"write a single value: {key.Expected}.");
            case ConfigShape.Section when scalar:
                throw Error(node.Path, origins, $"expects {key.Expected} {{ ... }}, not a single value", "see the README's \"Configuration\" for its keys.");
            case ConfigShape.Section:
                CheckSection(children, key, origins);
                break;
            case ConfigShape.Map when scalar:
                throw Error(node.Path, origins, $"expects {key.Expected}, not a single value", "write it as a JSON object { \"name\": value }.");
            case ConfigShape.Map:
                foreach (IConfigurationSection entry in children.Where(c => c.GetChildren().Any()))
                    throw Error(entry.Path, origins, $"expects a single value, not a list or a section (\"{key.Name}\" is {key.Expected})", "write each entry as \"name\": value.");
                break;
            case ConfigShape.ListOfValues or ConfigShape.ListOfSections when scalar:
                throw Error(node.Path, origins, $"expects {key.Expected}, not a single value", "write it as a JSON list in [ ].");
            case ConfigShape.ListOfValues or ConfigShape.ListOfSections:
                foreach (IConfigurationSection element in children)
                {
                    if (!int.TryParse(element.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw Error(node.Path, origins, $"expects {key.Expected}, not a section with keys", "write it as a JSON list in [ ].");
                    bool elementScalar = !element.GetChildren().Any() && !string.IsNullOrEmpty(element.Value);
                    if (key.Shape == ConfigShape.ListOfValues && element.GetChildren().Any())
                        throw Error(element.Path, origins, $"expects a name, not a list or a section (\"{key.Name}\" is {key.Expected})", "write each entry as a string.");
                    if (key.Shape == ConfigShape.ListOfSections && elementScalar)
                        throw Error(element.Path, origins, $"expects a section {{ ... }}, not a single value (\"{key.Name}\" is {key.Expected})", "write each entry as a JSON object.");
                    if (key.Shape == ConfigShape.ListOfSections)
                        CheckSection(element.GetChildren(), key, origins);
                }

                break;
        }
    }

    private static MailRecoveryException Error(string path, IReadOnlyDictionary<string, string> origins, string problem, string fix)
    {
        string lower = path.ToLowerInvariant();
        string? variable = origins.FirstOrDefault(o => o.Key == lower || o.Key.StartsWith(lower + ":", StringComparison.Ordinal)).Value;
        string from = variable is null ? string.Empty : $" (set by the environment variable {variable})";
        return MailRecoveryException.Usage($"configuration: {Display(path)}{from}: {problem}", fix);
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    private static int Distance(string a, string b)
    {
        // Three rows of the dynamic-programming table: the one two back is what a swap needs.
        int[] before = new int[b.Length + 1];
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
            }

            (before, previous, current) = (previous, current, before);
        }

        return previous[b.Length];
    }
}
