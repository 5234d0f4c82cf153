using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// <c>archive repair</c>: a full verify (every file hashed), then every file whose bytes are not the archived ones
/// is moved to the quarantine, then one repair-only pass over the accounts (policy keep: a repair deletes nothing
/// on a server) downloads what the servers still have and puts it back (<see cref="MailboxRepair"/>), then a second
/// verify says what is left: a row whose file is still missing is lost, reported with its index data.
/// </summary>
public sealed class ArchiveRepairRun(MessageArchive archive, Func<AccountSpec, IMessageSource> sourceFactory, FetchOptions options, ILogger logger)
{
    private static readonly HashSet<string> FileDamageKinds = new(StringComparer.Ordinal) { "missing-file", "empty-file", "size-mismatch", "hash-mismatch" };

    public async Task<ArchiveRepairReport> RunAsync(IReadOnlyList<AccountSpec> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(options);
        VerifyReport before = await ArchiveVerifier.VerifyAsync(archive, null, cancellationToken);
        var damaged = before.Problems.Where(p => FileDamageKinds.Contains(p.Kind)).Select(p => p.File).ToHashSet(StringComparer.Ordinal);
        foreach (string file in damaged)
        {
            // The cheap check of a fetch pass trusts size and mtime; a file that hashes wrong goes out of the way
            // first, so the pass sees it missing and puts the server's bytes back.
            if (archive.Layout.Resolve(file) is { } path)
                FileDamage.Quarantine(archive.Layout, path, archive.Clock);
        }

        FetchReport fetch = damaged.Count == 0
            ? new FetchReport([], TimeSpan.Zero)
            : await new FetchRun(archive, sourceFactory, WithRepairOnly(options), logger)
                .RunAsync([.. accounts.Select(a => a with { Policy = ServerPolicy.Keep })], cancellationToken);

        VerifyReport after = await ArchiveVerifier.VerifyAsync(archive, null, cancellationToken);
        Dictionary<string, ArchivedMessage> rows = archive.Index.AllMessages().ToDictionary(m => m.File, StringComparer.Ordinal);
        var lost = after.Problems
            .Where(p => FileDamageKinds.Contains(p.Kind) && rows.ContainsKey(p.File))
            .Select(p => LostMessage.Of(rows[p.File], p.Kind != "missing-file" ? p.Detail
                : accounts.Count == 0 ? "the file is missing; no account was given to download it from"
                : "the file is missing and no configured account has the message"))
            .ToList();
        var other = after.Problems.Where(p => !FileDamageKinds.Contains(p.Kind)).ToList();
        return new ArchiveRepairReport(damaged.Count, damaged.Count - lost.Count, lost, other, fetch);
    }

    private static FetchOptions WithRepairOnly(FetchOptions o) => new()
    {
        BatchMessages = o.BatchMessages,
        BatchBytes = o.BatchBytes,
        Resilience = o.Resilience,
        AfterStep = o.AfterStep,
        RepairOnly = true,
    };
}
