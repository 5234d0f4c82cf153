namespace MailRecovery.Core.Replay;

/// <summary>
/// Which messages of the window to replay. Empty lists mean "any". Addresses compare case-insensitively.
/// </summary>
/// <param name="Recipients">Any of these among To, Cc, Delivered-To and X-Original-To.</param>
/// <param name="Senders">Any of these in From.</param>
/// <param name="MessageIds">Only these Message-IDs (with or without angle brackets).</param>
/// <param name="IncludeProbes">Also replay alias-verification probes (excluded by default).</param>
public sealed record ReplayFilter(IReadOnlyList<string> Recipients, IReadOnlyList<string> Senders, IReadOnlyList<string> MessageIds, bool IncludeProbes)
{
    public static ReplayFilter All { get; } = new([], [], [], false);
}
