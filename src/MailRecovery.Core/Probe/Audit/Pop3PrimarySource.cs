using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Lists a POP3 maildrop read-only. POP3 cannot search by date, so the header block of every message is read
/// with <c>TOP n 0</c> (RFC 1939 §7), in pipelined batches; no message is retrieved whole and none is marked
/// for deletion, so QUIT leaves the maildrop as it was. The receipt time is the newest Received: header, else
/// the Date: header (POP3 has no INTERNALDATE); a message with neither is left out.
/// <para>
/// Where the audit needs a fingerprint, a second session (<see cref="Pop3Session"/>, since MailKit reads a whole
/// message only with RETR, which Dovecot marks \Seen) reads those messages with <c>TOP n 2147483647</c>: the whole
/// message, unmarked. The listing names each message by its UIDL, as message numbers hold within one session only.
/// </para>
/// </summary>
public sealed class Pop3PrimarySource : IPrimaryMailSource
{
    private readonly SourceEndpoint endpoint;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;

    public Pop3PrimarySource(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
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

    /// <summary>True once a listing carried UIDL ids: a server without UIDL (optional in RFC 1939 §7) cannot be read whole.</summary>
    public bool ReadsWhole { get; private set; }

    public async Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (messages.Count == 0)
            return fingerprints;
        await using var session = new Pop3Session();
        try
        {
            await Pop3Sessions.OpenAsync(session, endpoint, credentials, trust, cancellationToken);
            Dictionary<string, int> numbers = (await session.ListAsync(cancellationToken)).ToDictionary(m => m.Uid, m => m.Number, StringComparer.Ordinal);
            foreach (string uid in messages.Select(m => m.Locator).OfType<string>())
            {
                if (!numbers.TryGetValue(uid, out int number))
                    continue; // taken since the listing: matched by Message-ID only
                try
                {
                    fingerprints[uid] = await session.TopAsync(number, Pop3Session.WholeMessage, MessageFingerprint.ComputeAsync, cancellationToken);
                }
                catch (Pop3CommandException)
                {
                    // Deleted by another session meanwhile.
                }
            }

            await session.QuitAsync(cancellationToken); // no DELE was sent: the maildrop stays as it was
            return fingerprints;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"primary {Description}");
        }
    }

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        using Pop3Client client = MailServiceConnector.NewPop3Client();
        try
        {
            await Pop3Sessions.OpenAsync(client, endpoint, credentials, trust, endpoint.AccountKey, cancellationToken);
            IList<string>? uids = client.Capabilities.HasFlag(Pop3Capabilities.UIDL) ? await client.GetMessageUidsAsync(cancellationToken) : null;
            ReadsWhole = uids is not null;
            var listed = new List<AuditMessage>();
            for (int start = 0; start < client.Count; start += HeaderBatch)
            {
                int count = Math.Min(HeaderBatch, client.Count - start);
                IList<Stream> headers = await client.GetStreamsAsync(start, count, headersOnly: true, cancellationToken);
                for (int i = 0; i < headers.Count; i++)
                {
                    Stream stream = headers[i];
                    await using (stream)
                    {
                        MessageMetadata metadata = await MessageMetadataReader.ReadAsync(stream, DateTimeOffset.MinValue, ReceivedTimeSource.FetchTime, cancellationToken);
                        DateTimeOffset? received = metadata.ReceivedSource == ReceivedTimeSource.ReceivedHeader ? metadata.ReceivedAt : metadata.Date;
                        if (received is DateTimeOffset t && t >= from && t < until)
                            listed.Add(AuditMessage.Of(metadata) with { ReceivedAt = t, Locator = uids?[start + i] });
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
