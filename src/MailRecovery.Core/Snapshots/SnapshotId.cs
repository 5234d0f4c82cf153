using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// A snapshot's name: its start in UTC to the millisecond and 4 random hex digits (<c>20261129T091500.123Z-3fa2</c>),
/// so names sort by time (fixed width) and two snapshots started in the same millisecond do not collide.
/// </summary>
public static partial class SnapshotId
{
    public static string New(DateTimeOffset started) =>
        started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'.'fff'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));

    public static bool IsValid(string text) => Pattern().IsMatch(text);

    /// <summary>Refuses anything that is not an id, so an id never becomes a path outside the store.</summary>
    /// <exception cref="MailRecoveryException">Usage: not an id.</exception>
    public static string Check(string text) => IsValid(text) ? text
        : throw MailRecoveryException.Usage($"'{text}' is not a snapshot id.", "copy the id from 'mailrecovery snapshot list --store STORE' (e.g. 20261129T091500.123Z-3fa2).");

    [GeneratedRegex("^[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z-[0-9a-f]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
