using System.Globalization;
using System.Net;

namespace MailRecovery.Core.Metrics;

/// <summary>
/// Where <c>watch --metrics</c> listens: an IP address and a port, written <c>127.0.0.1:9750</c> or
/// <c>[::1]:9750</c>. An unspecified address (<c>0.0.0.0</c>, <c>[::]</c>) listens on every interface.
/// </summary>
public sealed record MetricsEndpoint(IPAddress Address, int Port)
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string Path = "metrics/";

    /// <summary>True for <c>0.0.0.0</c> and <c>::</c>: every interface, whatever host name the scraper uses.</summary>
    public bool AnyInterface => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>The host part of the listener's prefix: <c>+</c> for every interface, else the address (IPv6 in brackets).</summary>
    public string Host => AnyInterface ? "+" : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();

    /// <summary>The URL to scrape, for log lines and documentation.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"http://{(AnyInterface ? "HOST" : Host)}:{Port}/metrics");

    /// <summary>What a valid value looks like, for error messages.</summary>
    public const string Grammar = "ADDRESS:PORT (an IP address and a port from 1 to 65535, e.g. 127.0.0.1:9750)";

    /// <summary>Parses <c>ADDRESS:PORT</c>; null when <paramref name="text"/> is not one (no port, port 0, a host name).</summary>
    public static MetricsEndpoint? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // IPEndPoint.TryParse also takes a bare address (port 0) and "::1" (an IPv6 address, no port): a port is
        // required, so the last ':' must follow an IPv4 address or a bracketed IPv6 one.
        bool hasPort = text.LastIndexOf(':') > text.LastIndexOf(']') && (text.StartsWith('[') || text.Count(c => c == ':') == 1);
        return hasPort && IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && endPoint.Port != 0 ? new MetricsEndpoint(endPoint.Address, endPoint.Port) : null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}");
}
