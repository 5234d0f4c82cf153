using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace MailRecovery.Tests.Alerts;

/// <summary>A real HTTP receiver on 127.0.0.1: records every request (path, Authorization, JSON body) and answers <see cref="Status"/>.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    public WebhookReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(LoopAsync);
    }

    public sealed record Request(string Path, string? Authorization, string ContentType, JsonElement Body);

    public int Port { get; }

    public string Url(string path = "hook") => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>The status code answered; 200 unless a test makes the receiver fail.</summary>
    public int Status { get; set; } = 200;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Waits until at least <paramref name="count"/> requests arrived.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (Requests.Count < count)
        {
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"{Requests.Count} webhook requests, expected {count}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                string text = await reader.ReadToEndAsync();
                int status = Status;
                if (status == 200)
                    Requests.Enqueue(new Request(context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], context.Request.ContentType ?? string.Empty, JsonDocument.Parse(text).RootElement.Clone()));
                context.Response.StatusCode = status;
            }

            context.Response.Close();
        }
    }
}
