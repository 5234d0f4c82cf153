using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Primary;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Alias;

/// <summary>
/// What <c>alias verify</c> and <c>alias audit</c> take from <c>--config</c> when a flag does not say otherwise: the
/// archive, the copy account (<c>probe.copyAccount</c>, else the first account), the primary (<c>probe.primary</c>,
/// else the copy account's <c>primary</c>), the SMTP server, alias and sender (the <c>probe</c> section), with their
/// password sources and CA. In an incident nobody should retype what the file already says.
/// </summary>
internal sealed record AliasConfig(MailRecoveryConfig Config, AccountSpec Copy, string CopyKey, PrimarySpec? Primary, string? PrimaryKey)
{
    public AliasVerifyOptions? Probe => Config.Probe?.Options;

    /// <param name="logger">The verb's log, for the token sources the configuration names.</param>
    public static AliasConfig? Load(string? path, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (path is null)
            return null;
        MailRecoveryConfig config = ConfigLoader.Load(path, logger);
        AliasVerifyOptions? probe = config.Probe?.Options;
        int copy = probe is null ? 0 : Math.Max(0, IndexOf(config, probe.Copy));
        AccountSpec account = config.Accounts[copy];
        string copyKey = $"accounts[{copy}]";
        if (probe?.Primary is { } p)
            return new(config, account, copyKey, new PrimarySpec(p, probe.PrimaryCredentials ?? SourceCredentials.None, probe.Trust), "probe.primary");
        return new(config, account, copyKey, account.Primary, account.Primary is null ? null : copyKey + ".primary");
    }

    /// <summary>The account the probe section names: the loader hands over that account's own endpoint.</summary>
    private static int IndexOf(MailRecoveryConfig config, SourceEndpoint endpoint)
    {
        for (int i = 0; i < config.Accounts.Count; i++)
        {
            if (ReferenceEquals(config.Accounts[i].Endpoint, endpoint))
                return i;
        }

        return -1;
    }

    /// <summary>A value neither the flag nor the configuration gave: the fix names both ways.</summary>
    public static MailRecoveryException Missing(string flag, string key, string example) =>
        MailRecoveryException.Usage($"{flag} is missing.", $"pass {flag} {example}, or set \"{key}\" in the configuration given with --config.");
}
