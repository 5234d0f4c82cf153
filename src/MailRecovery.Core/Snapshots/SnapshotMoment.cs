using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// <c>snapshot:ID</c> where replay takes a time: the moment that snapshot's copy started (its manifest's
/// <see cref="SnapshotManifest.StartedUtc"/>), so mail the helpdesk pulled after it is replayed. The store is
/// <c>--snapshot-store</c> or the configuration's <c>snapshots.store</c>; <c>snapshot:/path/STORE/ID</c> names
/// it inline.
/// </summary>
public static class SnapshotMoment
{
    public const string Prefix = "snapshot:";

    public static bool Names(string text) => text.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <exception cref="MailRecoveryException">Usage: no store, or no such complete snapshot.</exception>
    public static DateTimeOffset Resolve(string text, string? store, string option)
    {
        string id = text.Trim()[Prefix.Length..];
        if (id.Contains('/', StringComparison.Ordinal))
        {
            store = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(id));
            id = Path.GetFileName(Path.TrimEndingDirectorySeparator(id));
        }

        if (string.IsNullOrEmpty(store))
            throw MailRecoveryException.Usage($"{option} {text}: which snapshot store?", "add --snapshot-store STORE, set \"snapshots\": { \"store\": ... } in the configuration, or write snapshot:/path/to/STORE/ID.");
        return new SnapshotStore(store).Load(SnapshotId.Check(id)).StartedUtc;
    }
}
