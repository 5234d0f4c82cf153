namespace MailRecovery.Core.Configuration;

/// <summary>What a configuration key holds: JSON's scalar, object, or array (of scalars or of objects).</summary>
internal enum ConfigShape
{
    /// <summary>A string, number or true/false.</summary>
    Value,

    /// <summary>An object with named keys.</summary>
    Section,

    /// <summary>An array of strings, e.g. "mailboxes".</summary>
    ListOfValues,

    /// <summary>An array of objects, e.g. "accounts".</summary>
    ListOfSections,

    /// <summary>An object whose keys the user names (e.g. host names), each holding a single value.</summary>
    Map,
}
