namespace MailRecovery.Core.Replay;

/// <summary>
/// Replay's default pace for a target whose provider enforces a sending limit, used only when the user gave no
/// <c>--rate</c>. Exchange Online accepts at most 30 messages a minute per mailbox (Exchange Online limits, "Sending
/// limits": https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1);
/// going faster earns throttling replies and, repeated, a blocked sender.
/// </summary>
public static class ProviderRates
{
    /// <summary>Exchange Online's 30 messages per minute, per second.</summary>
    public const double ExchangeOnline = 30.0 / 60.0;

    /// <summary>The default messages per second for <paramref name="targetUri"/>, or null when its host has no known limit.</summary>
    public static double? DefaultFor(string targetUri)
    {
        if (!Uri.TryCreate(targetUri, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
            return null;
        string host = uri.Host.TrimEnd('.');
        return host.Equals("outlook.office365.com", StringComparison.OrdinalIgnoreCase) || host.Equals("smtp.office365.com", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".mail.protection.outlook.com", StringComparison.OrdinalIgnoreCase)
            ? ExchangeOnline
            : null;
    }
}
