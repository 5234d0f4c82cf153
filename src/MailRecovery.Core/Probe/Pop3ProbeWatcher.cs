using MailKit;
using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using MimeKit;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Watches a POP3 account with UIDL and TOP only (RFC 1939 §7): headers of messages not looked at before are
/// read, nothing is retrieved whole, nothing deleted. A POP3 session sees a snapshot of the mailbox, so each
/// look is a new session, ended with QUIT and no DELE.
/// </summary>
public sealed class Pop3ProbeWatcher : IProbeWatcher
{
    private readonly SourceEndpoint endpoint;
    private readonly SourceCredentials credentials;
    private readonly CertificateTrust trust;
    private readonly HashSet<string> looked = new(StringComparer.Ordinal);

    public Pop3ProbeWatcher(SourceEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust)
    {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
    }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // Remember what is there before the probe is sent, so later looks read only new headers.
        using Pop3Client client = await OpenAsync(cancellationToken);
        if (client.Count > 0)
            looked.UnionWith(await client.GetMessageUidsAsync(cancellationToken));
        await client.DisconnectAsync(true, cancellationToken);
    }

    public async Task<ProbeSighting?> LookAsync(string token, CancellationToken cancellationToken)
    {
        using Pop3Client client = await OpenAsync(cancellationToken);
        ProbeSighting? found = null;
        if (client.Count > 0)
        {
            IList<string> uids = await client.GetMessageUidsAsync(cancellationToken);
            for (int i = 0; i < uids.Count && found is null; i++)
            {
                if (!looked.Add(uids[i]))
                    continue;
                HeaderList headers = await client.GetMessageHeadersAsync(i, cancellationToken);
                if (headers[MessageMetadataReader.ProbeHeader]?.Trim() == token)
                    found = new ProbeSighting("INBOX", uids[i], headers);
            }
        }

        await client.DisconnectAsync(true, cancellationToken);
        return found;
    }

    public Task<int?> QuotaPercentAsync(CancellationToken cancellationToken) => Task.FromResult<int?>(null);

    public async Task RemoveAsync(ProbeSighting sighting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        using Pop3Client client = await OpenAsync(cancellationToken);
        IList<string> uids = await client.GetMessageUidsAsync(cancellationToken);
        int index = uids.IndexOf(sighting.Id);
        if (index >= 0)
            await client.DeleteMessageAsync(index, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken); // QUIT commits the single DELE
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<Pop3Client> OpenAsync(CancellationToken cancellationToken)
    {
        Pop3Client client = MailServiceConnector.NewPop3Client();
        try
        {
            await Pop3Sessions.OpenAsync(client, endpoint, credentials, trust, endpoint.AccountKey, cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
