namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// A Maildir the primary's mail is delivered to or exported into: the files of <c>cur/</c> and <c>new/</c>
/// (tmp/ holds deliveries not finished yet). Subfolders (Maildir++ <c>.Name/</c>) are not read: give the one
/// folder to compare. Headers are read (a whole file only where the audit needs its fingerprint) and nothing is
/// renamed, so no flag changes.
/// </summary>
public sealed class MaildirPrimarySource : IPrimaryMailSource
{
    private readonly string root;

    public MaildirPrimarySource(string root) => this.root = root;

    public string Description => $"maildir:{root}";

    public bool ReadsWhole => true;

    public Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken) =>
        HeaderFileReader.FingerprintAsync(messages, cancellationToken);

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var listed = new List<AuditMessage>();
        foreach (string dir in new[] { "cur", "new" })
        {
            string path = Path.Combine(root, dir);
            if (!Directory.Exists(path))
                continue;
            foreach (string file in Directory.EnumerateFiles(path))
            {
                if (Path.GetFileName(file).StartsWith('.'))
                    continue;
                AuditMessage? message = await HeaderFileReader.ReadAsync(file, cancellationToken) ?? await ReadMovedAsync(file, cancellationToken);
                if (message is not null && message.ReceivedAt >= from && message.ReceivedAt < until)
                    listed.Add(message);
            }
        }

        return listed;
    }

    /// <summary>
    /// A mail client working in the Maildir meanwhile moves a file from new/ to cur/ or renames it to change
    /// its flags (the part after ':'); the unique part before ':' stays, so the message is found again by it.
    /// </summary>
    private async Task<AuditMessage?> ReadMovedAsync(string vanished, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(vanished);
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        string unique = colon < 0 ? name : name[..colon];
        string cur = Path.Combine(root, "cur");
        if (!Directory.Exists(cur))
            return null;
        foreach (string candidate in Directory.EnumerateFiles(cur, unique + "*"))
        {
            string candidateName = Path.GetFileName(candidate);
            if (candidateName == unique || candidateName.StartsWith(unique + ":", StringComparison.Ordinal))
                return await HeaderFileReader.ReadAsync(candidate, cancellationToken);
        }

        return null;
    }
}
