using System.Net;
using System.Net.Sockets;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Metrics;
using MailRecovery.Core.Probe;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MailRecovery.Cli.Watch;

/// <summary>
/// Serves <see cref="WatchMetrics"/> at <c>http://ADDRESS:PORT/metrics</c> with prometheus-net's stand-alone
/// server (HttpListener, no ASP.NET). A port that cannot be bound is told as a classified error before watch
/// says it is ready, never as a stack trace.
/// </summary>
internal static class MetricsServer
{
    /// <summary>
    /// Makes watch's metrics, seeded from the index (each account's last successful pass, also from before this
    /// process) and serves them; dispose the server to stop.
    /// </summary>
    public static (WatchMetrics Metrics, IMetricServer Server) Serve(MetricsEndpoint endpoint, string origin, MessageArchive archive, IReadOnlyList<AccountSpec> accounts, ProbeSchedule? probe, ILogger logger)
    {
        var metrics = new WatchMetrics(archive.Clock, logger, archive.Layout.JournalPath);
        Dictionary<string, AccountStatistics> known = archive.Index.AccountStatistics().ToDictionary(a => a.Account, StringComparer.Ordinal);
        foreach (AccountSpec account in accounts)
            metrics.AddAccount(account.Name, known.GetValueOrDefault(account.Endpoint.AccountKey)?.LastSuccess);
        if (probe is not null)
            metrics.AddAlias(probe.Options.Alias);
        IMetricServer server = Start(endpoint, metrics.Registry, origin);
        logger.LogInformation("serving Prometheus metrics at {Url}.", endpoint.Url);
        return (metrics, server);
    }

    /// <summary>Starts serving; dispose the result to stop.</summary>
    /// <param name="origin">How the endpoint was given (<c>--metrics</c> or <c>metrics.listen</c>), for the fix text.</param>
    /// <exception cref="MailRecoveryException">The address is in use (transient: a restart may find it free) or cannot be bound (usage).</exception>
    public static IMetricServer Start(MetricsEndpoint endpoint, CollectorRegistry registry, string origin)
    {
        var server = new MetricServer(endpoint.Host, endpoint.Port, MetricsEndpoint.Path, registry);
        try
        {
            return server.Start();
        }
        catch (Exception e) when (e is HttpListenerException or SocketException)
        {
            server.Dispose();
            bool inUse = (e as HttpListenerException)?.ErrorCode == (int)SocketError.AddressAlreadyInUse || (e as SocketException)?.SocketErrorCode == SocketError.AddressAlreadyInUse
                || e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase);
            if (inUse)
            {
                throw new MailRecoveryException(FailureKind.Transient, FailureScope.Run,
                    $"cannot serve metrics on {endpoint}: the port is in use by another program.",
                    $"choose another port in {origin}, or find the program that holds it with `ss -ltnp 'sport = :{endpoint.Port}'`.", e);
            }

            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Run,
                $"cannot serve metrics on {endpoint}: {e.Message}",
                $"give {origin} an address of this machine and a port it may open (ports below 1024 need privileges), e.g. 127.0.0.1:9750.", e);
        }
    }
}
