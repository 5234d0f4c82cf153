using System.Net.Http.Headers;
using System.Text.Json;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// POSTs an alert as JSON (<see cref="WebhookFormat"/>). Any 2xx is delivered; anything else, or no answer within
/// the timeout, throws, and the alert is tried again at the next evaluation. Redirects are not followed: a POST
/// turned into a GET by a 302 would look delivered and be lost.
/// </summary>
public sealed class WebhookNotifier : IAlertNotifier, IDisposable
{
    private readonly WebhookSettings settings;
    private readonly HttpClient http;

    public WebhookNotifier(WebhookSettings settings, CertificateTrust trust, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trust);
        this.settings = settings;
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = timeout };
        handler.SslOptions.RemoteCertificateValidationCallback = trust.Validate;
        http = new HttpClient(handler) { Timeout = timeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MailRecovery", typeof(WebhookNotifier).Assembly.GetName().Version?.ToString(3) ?? "1"));
    }

    public string Name => "webhook";

    public void Dispose() => http.Dispose();

    /// <exception cref="MailRecoveryException">The receiver refused the alert (its status code and first 200 characters of its answer).</exception>
    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        (Uri target, HttpContent content) = Request(alert);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
        if (settings.Token is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Read($"the webhook token of {settings.Display}"));
        using HttpResponseMessage response = await PostAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
            return;
        string answer = await response.Content.ReadAsStringAsync(cancellationToken);
        bool client = (int)response.StatusCode is >= 400 and < 500;
        throw new MailRecoveryException(client ? FailureKind.Permanent : FailureKind.Transient, FailureScope.Run,
            $"the webhook at {settings.Display} answered {(int)response.StatusCode} {response.ReasonPhrase}: {answer[..Math.Min(answer.Length, 200)].ReplaceLineEndings(" ")}",
            client ? "check alerts.webhook.url, its format and its token." : "the receiver is in trouble; the alert is sent again at the next evaluation.");
    }

    /// <summary>Sends, with HttpClient's failures classified here (the shared classifier knows mail protocols, not HTTP).</summary>
    private async Task<HttpResponseMessage> PostAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string thing = $"the webhook at {settings.Display}";
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw ErrorClassifier.Classify(e.InnerException, thing);
        }
        catch (HttpRequestException e)
        {
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Run, $"{thing}: {e.Message.TrimEnd('.')}.", "check the URL and that the receiver runs; the alert is sent again at the next evaluation.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Run, $"{thing}: no answer within {http.Timeout.TotalSeconds:0} s.", "the receiver may be down or slow; the alert is sent again at the next evaluation.", e);
        }
    }

    /// <summary>The URL and JSON body of <paramref name="alert"/> in the configured format.</summary>
    internal (Uri Target, HttpContent Content) Request(Alert alert) => settings.Format switch
    {
        WebhookFormat.Slack => (settings.Url, Json(new SlackBody(alert.Text), AlertJsonContext.Default.SlackBody)),
        WebhookFormat.Ntfy => NtfyRequest(alert),
        _ => (settings.Url, Json(WebhookBody.From(alert), AlertJsonContext.Default.WebhookBody)),
    };

    /// <summary>ntfy takes JSON at its root URL, with the topic (the configured URL's last segment) in the body.</summary>
    private (Uri, HttpContent) NtfyRequest(Alert alert)
    {
        (Uri root, string topic) = NtfyTopic(settings.Url);
        string message = alert.Event == AlertEvent.Cleared
            ? $"no longer holds (was: {alert.Reason})"
            : $"{alert.Reason}\nfix: {alert.Fix}";
        var body = new NtfyBody(topic, alert.Title, message, alert.Event == AlertEvent.Cleared ? 3 : 4, alert.Event == AlertEvent.Cleared ? ["white_check_mark"] : ["warning"]);
        return (root, Json(body, AlertJsonContext.Default.NtfyBody));
    }

    /// <summary>Splits <c>https://host/path/TOPIC</c> into <c>https://host/path/</c> and <c>TOPIC</c>.</summary>
    public static (Uri Root, string Topic) NtfyTopic(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string path = url.AbsolutePath.TrimEnd('/');
        int slash = path.LastIndexOf('/');
        string topic = Uri.UnescapeDataString(path[(slash + 1)..]);
        return (new Uri(url, path[..(slash + 1)]), topic);
    }

    private static StringContent Json<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(body, type), System.Text.Encoding.UTF8, "application/json");
}
