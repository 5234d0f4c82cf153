using System.Globalization;
using MailRecovery.Core.Errors;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The versions of <c>index.sqlite</c> and how each one becomes the next. The version is <c>meta.schema_version</c>;
/// an index without it is empty (new). Opening for writing upgrades an older index in place, one step at a time,
/// each step in one transaction with the version bump, so a crash leaves either the old version or the new one.
/// An index from a newer release is refused, never touched: an older program cannot know what its columns mean.
/// Steps only add (columns, tables, indexes); what a new column needs from the files (fingerprints) is filled in
/// afterwards by <see cref="MessageArchive"/>, which can read the Maildir.
/// </summary>
internal static class IndexSchema
{
    /// <summary>The version this release writes.</summary>
    public const int Current = 2;

    /// <summary>Version 1: the first release (catalogue, fetch state, probes, account state).</summary>
    private const string Version1 = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS messages(
            file TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            message_id TEXT,
            received_utc INTEGER NOT NULL,
            received_source TEXT NOT NULL,
            date_utc INTEGER,
            from_addr TEXT,
            to_addrs TEXT,
            cc_addrs TEXT,
            delivered_to TEXT,
            x_original_to TEXT,
            recipients TEXT NOT NULL,
            subject TEXT,
            archived_utc INTEGER NOT NULL,
            is_probe INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS messages_received ON messages(received_utc);
        CREATE INDEX IF NOT EXISTS messages_date ON messages(date_utc);
        CREATE INDEX IF NOT EXISTS messages_archived ON messages(archived_utc);
        CREATE INDEX IF NOT EXISTS messages_sha ON messages(sha256);
        CREATE INDEX IF NOT EXISTS messages_message_id ON messages(message_id);
        CREATE TABLE IF NOT EXISTS source_messages(
            account TEXT NOT NULL,
            mailbox TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            server_id TEXT NOT NULL,
            file TEXT NOT NULL,
            fetched_utc INTEGER NOT NULL,
            PRIMARY KEY(account, mailbox, uidvalidity, server_id));
        CREATE INDEX IF NOT EXISTS source_messages_file ON source_messages(file);
        CREATE TABLE IF NOT EXISTS mailbox_state(
            account TEXT NOT NULL,
            mailbox TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            PRIMARY KEY(account, mailbox));
        CREATE TABLE IF NOT EXISTS probe_results(
            at_utc INTEGER NOT NULL,
            alias TEXT NOT NULL,
            verdict TEXT NOT NULL,
            summary TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS account_state(
            account TEXT PRIMARY KEY,
            last_success_utc INTEGER,
            last_error TEXT,
            last_error_utc INTEGER);
        """;

    /// <summary>
    /// Version 2: the message identity (<c>messages.fingerprint</c>, see <see cref="MessageIdentity"/>; null until
    /// filled in from the file), the size the server announced for each fetched message
    /// (<c>source_messages.server_size</c>; null for links made before), and the primary ledger: what the
    /// helpdesk's own account held at each look (<c>primary_looks</c>, with the copy account it belongs to, and
    /// <c>primary_messages</c>; see <see cref="PrimaryLedger"/>), and when an account's current run of failed
    /// passes began (<c>account_state.failing_since_utc</c>, for <c>status</c>'s "failing since"), what became
    /// of each alias probe in the helpdesk's account (<c>probe_cleanups</c>, see <see cref="ProbeCleanups"/>), and the
    /// tombstones of <c>archive prune</c> (<c>pruned</c>: what was removed, when; see <see cref="PruneLedger"/>).
    /// </summary>
    private const string Version2 = """
        ALTER TABLE messages ADD COLUMN fingerprint TEXT;
        CREATE INDEX IF NOT EXISTS messages_fingerprint ON messages(fingerprint);
        ALTER TABLE source_messages ADD COLUMN server_size INTEGER;
        CREATE TABLE IF NOT EXISTS primary_looks(
            primary_key TEXT NOT NULL,
            account TEXT NOT NULL,
            at_utc INTEGER NOT NULL,
            waiting INTEGER NOT NULL,
            PRIMARY KEY(primary_key, at_utc));
        CREATE INDEX IF NOT EXISTS primary_looks_account ON primary_looks(account, at_utc);
        CREATE TABLE IF NOT EXISTS primary_messages(
            primary_key TEXT NOT NULL,
            server_id TEXT NOT NULL,
            message_id TEXT,
            fingerprint TEXT,
            file TEXT,
            size INTEGER,
            first_seen_utc INTEGER NOT NULL,
            last_seen_utc INTEGER NOT NULL,
            taken_utc INTEGER,
            PRIMARY KEY(primary_key, server_id));
        CREATE INDEX IF NOT EXISTS primary_messages_file ON primary_messages(file);
        CREATE INDEX IF NOT EXISTS primary_messages_taken ON primary_messages(taken_utc);
        ALTER TABLE account_state ADD COLUMN failing_since_utc INTEGER;
        CREATE TABLE IF NOT EXISTS probe_cleanups(
            at_utc INTEGER NOT NULL,
            alias TEXT NOT NULL,
            token TEXT NOT NULL,
            outcome TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS probe_cleanups_at ON probe_cleanups(at_utc);
        """ + PrunedTable;

    /// <summary>
    /// Part of version 2, added while it was unreleased; <see cref="PruneLedger"/> also creates it in an index that
    /// an earlier build of version 2 wrote without it.
    /// </summary>
    internal const string PrunedTable = """
        CREATE TABLE IF NOT EXISTS pruned(
            file TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            message_id TEXT,
            fingerprint TEXT,
            received_utc INTEGER NOT NULL,
            pruned_utc INTEGER NOT NULL);
        """;

    /// <summary>Step i turns version i + 1 into version i + 2 (index 0: nothing → 1).</summary>
    private static readonly string[] Steps = [Version1, Version2];

    /// <summary>The version of an open index: 0 for a new, empty file.</summary>
    public static int VersionOf(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using SqliteCommand probe = connection.CreateCommand();
        probe.Transaction = transaction;
        probe.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
        if (probe.ExecuteScalar() is null)
            return 0;
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        return cmd.ExecuteScalar() is string v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 1;
    }

    /// <summary>Refuses an index written by a newer release.</summary>
    /// <exception cref="MailRecoveryException">A usage error naming both versions.</exception>
    public static void CheckNotNewer(int version, string path)
    {
        if (version > Current)
        {
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Archive,
                $"{path} was written by a newer release of MailRecovery (index schema {version}; this release knows up to {Current}). Nothing was changed.",
                "run the release that wrote this archive, or a newer one; an older release cannot read what a newer one records.");
        }
    }

    /// <summary>Brings the index to <see cref="Current"/>, one transaction per step.</summary>
    /// <returns>The version found before upgrading.</returns>
    public static int Upgrade(SqliteConnection connection, string path)
    {
        int version = VersionOf(connection);
        CheckNotNewer(version, path);
        while (true)
        {
            // The version is read again inside the step's write transaction (BEGIN IMMEDIATE): a reader and a
            // writer opening an old index at the same moment both upgrade it, and the second must find the step
            // done, not apply it twice ("duplicate column name").
            using SqliteTransaction tx = connection.BeginTransaction(deferred: false);
            int v = VersionOf(connection, tx);
            if (v >= Current)
                break;
            using SqliteCommand step = connection.CreateCommand();
            step.Transaction = tx;
            step.CommandText = Steps[v] + $"\nINSERT INTO meta(key, value) VALUES('schema_version', '{v + 1}') ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
            step.ExecuteNonQuery();
            tx.Commit();
        }

        return version;
    }
}
