using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Lists a POP3 maildrop read-only. POP3 cannot search by date, so the header block of every message is read
/// with <c>TOP n 0</c> (RFC 1939 §7), in pipelined batches; no message is retrieved whole and none is marked
/// for deletion, so QUIT leaves the maildrop as it was. The receipt time is the newest Received: header, else
/// the Date: header (POP3 has no INTERNALDATE); a message with neither is left out.
/// </summary>
public sealed class Pop3PrimarySource : IPrimaryMailSource
{
    private readonly SourceEndpoint endpoint;
    private readonly SourceCredentials credentials;
    private readonly CertificateTrust trust;

    public Pop3PrimarySource(SourceEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
    }

    /// <summary>TOP commands per batch: pipelined when the server offers PIPELINING, and a bounded amount held at once.</summary>
    /// <value>The default value is 200.</value>
    public int HeaderBatch { get; init; } = 200;

    public string Description => endpoint.AccountKey;

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client();
        try
        {
            await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
            await MailServiceConnector.LoginAsync(client, endpoint.User, credentials.Read(endpoint.AccountKey), cancellationToken);
            var listed = new List<AuditMessage>();
            for (int start = 0; start < client.Count; start += HeaderBatch)
            {
                int count = Math.Min(HeaderBatch, client.Count - start);
                IList<Stream> headers = await client.GetStreamsAsync(start, count, headersOnly: true, cancellationToken);
                foreach (Stream stream in headers)
                {
                    await using (stream)
                    {
                        MessageMetadata metadata = await MessageMetadataReader.ReadAsync(stream, DateTimeOffset.MinValue, ReceivedTimeSource.FetchTime, cancellationToken);
                        DateTimeOffset? received = metadata.ReceivedSource == ReceivedTimeSource.ReceivedHeader ? metadata.ReceivedAt : metadata.Date;
                        if (received is DateTimeOffset t && t >= from && t < until)
                            listed.Add(AuditMessage.Of(metadata) with { ReceivedAt = t });
                    }
                }
            }

            // QUIT without DELE: the session changes nothing (RFC 1939 §6).
            await client.DisconnectAsync(true, cancellationToken);
            return listed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ErrorClassifier.Classify(e, $"primary {Description}");
        }
    }
}
