namespace MailRecovery.Core.Alerts;

/// <summary>The content of <c>mailrecovery/alerts.json</c>: per notifier (<c>webhook</c>, <c>mail</c>), what it was told holds.</summary>
/// <param name="Version">The file format, 1. A newer one is refused rather than overwritten.</param>
public sealed record AlertStateDocument(int Version, Dictionary<string, List<AlertedCondition>> Channels)
{
    public const int CurrentVersion = 1;

    public static AlertStateDocument Empty() => new(CurrentVersion, new Dictionary<string, List<AlertedCondition>>(StringComparer.Ordinal));

    /// <summary>The list of one notifier, created empty when it has none yet.</summary>
    public List<AlertedCondition> Channel(string name)
    {
        if (!Channels.TryGetValue(name, out List<AlertedCondition>? list))
            Channels[name] = list = [];
        return list;
    }
}
