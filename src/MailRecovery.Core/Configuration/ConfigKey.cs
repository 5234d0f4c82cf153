namespace MailRecovery.Core.Configuration;

/// <summary>
/// One key the configuration knows: its name (matched without regard to case, as Microsoft.Extensions.Configuration
/// does), what its value must be, said in words for error messages, and for a section or a list the keys it holds.
/// </summary>
/// <param name="Name">The key as the README spells it.</param>
/// <param name="Expected">The value in words, e.g. "a whole number from 1 to 65535"; never a .NET type name.</param>
/// <param name="Shape">A single value, a section of keys, or a list.</param>
/// <param name="Children">The keys of a section, or of each element of a list of sections; null for values.</param>
internal sealed record ConfigKey(string Name, string Expected, ConfigShape Shape, IReadOnlyList<ConfigKey>? Children = null)
{
    public static ConfigKey Value(string name, string expected) => new(name, expected, ConfigShape.Value);

    public static ConfigKey Section(string name, string expected, params ConfigKey[] children) => new(name, expected, ConfigShape.Section, children);

    public static ConfigKey Map(string name, string expected) => new(name, expected, ConfigShape.Map);

    public static ConfigKey ListOfValues(string name, string expected) => new(name, expected, ConfigShape.ListOfValues);

    public static ConfigKey ListOfSections(string name, string expected, params ConfigKey[] children) => new(name, expected, ConfigShape.ListOfSections, children);
}
