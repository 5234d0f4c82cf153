namespace MailRecovery.Core.Sources;

/// <summary>
/// What happens on the server to a message once it is durably archived.
/// </summary>
/// <param name="DeleteAfterDays">With <see cref="ServerPolicyMode.DeleteOlderThan"/>: messages received more than this many days ago are deleted.</param>
public sealed record ServerPolicy(ServerPolicyMode Mode, int DeleteAfterDays = 0)
{
    /// <summary>The default: read without changing anything on the server.</summary>
    public static ServerPolicy Keep { get; } = new(ServerPolicyMode.Keep);

    public static ServerPolicy Delete { get; } = new(ServerPolicyMode.Delete);

    /// <summary>Parses <c>keep</c>, <c>delete</c> or <c>delete-older-than:N</c> (N days).</summary>
    public static bool TryParse(string? text, out ServerPolicy policy)
    {
        policy = Keep;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "keep":
                return true;
            case "delete":
                policy = Delete;
                return true;
            case string s when s.StartsWith("delete-older-than:", StringComparison.Ordinal)
                               && int.TryParse(s["delete-older-than:".Length..], out int days) && days >= 0:
                policy = new ServerPolicy(ServerPolicyMode.DeleteOlderThan, days);
                return true;
            default:
                return false;
        }
    }

    public override string ToString() => Mode switch
    {
        ServerPolicyMode.Keep => "keep",
        ServerPolicyMode.Delete => "delete",
        _ => $"delete-older-than:{DeleteAfterDays}",
    };
}
