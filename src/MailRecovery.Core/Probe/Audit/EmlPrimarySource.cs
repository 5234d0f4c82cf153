namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// A directory of <c>.eml</c> files (one message each), searched recursively: the export format of many
/// helpdesks and of <c>replay --to eml:</c>. Headers are read, and a whole file only where the audit needs its fingerprint.
/// </summary>
public sealed class EmlPrimarySource : IPrimaryMailSource
{
    private readonly string directory;

    public EmlPrimarySource(string directory) => this.directory = directory;

    public string Description => $"eml:{directory}";

    public bool ReadsWhole => true;

    public Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken) =>
        HeaderFileReader.FingerprintAsync(messages, cancellationToken);

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MatchCasing = MatchCasing.CaseInsensitive,
            IgnoreInaccessible = false, // an unreadable subdirectory would hide messages: fail instead
            AttributesToSkip = FileAttributes.ReparsePoint, // no loops through symbolic links
        };
        var listed = new List<AuditMessage>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.eml", options))
        {
            AuditMessage? message = await HeaderFileReader.ReadAsync(file, cancellationToken);
            if (message is not null && message.ReceivedAt >= from && message.ReceivedAt < until)
                listed.Add(message);
        }

        return listed;
    }
}
