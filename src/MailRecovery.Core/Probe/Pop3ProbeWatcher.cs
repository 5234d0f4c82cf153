using MailKit;
using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;
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
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly HashSet<string> looked = new(StringComparer.Ordinal);

    public Pop3ProbeWatcher(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
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

    /// <summary>
    /// One session on our own POP3 client that changes nothing but the probe: <c>UIDL</c>/<c>LIST</c>, <c>TOP n 0</c>
    /// to read the header of the message under the sighting's UIDL, <c>DELE n</c> only when it carries this token,
    /// and QUIT, which commits that one deletion (RFC 1939 §6). A UIDL no longer listed: the helpdesk took it.
    /// </summary>
    public async Task<ProbeRemoval> RemoveAsync(ProbeSighting sighting, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        await using var session = new Pop3Session();
        await Pop3Sessions.OpenAsync(session, endpoint, credentials, trust, cancellationToken);
        Pop3Listing? listed = (await session.ListAsync(cancellationToken)).FirstOrDefault(m => m.Uid == sighting.Id);
        bool probe = false;
        if (listed is not null)
        {
            try
            {
                probe = await session.TopAsync(listed.Number, 0, (headers, ct) => CarriesAsync(headers, token, ct), cancellationToken);
            }
            catch (Pop3CommandException)
            {
                // Deleted by the helpdesk's session since UIDL: gone.
            }
        }

        if (probe)
            await session.DeleteAsync([listed!.Number], 1, cancellationToken);
        bool committed = await session.QuitAsync(cancellationToken); // commits the single DELE, or ends a session that changed nothing
        if (probe && !committed)
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Account,
                $"the POP3 server {endpoint.Host} answered -ERR to QUIT: the deletion of the probe was not made, so it is still in the account.",
                "nothing to do now: the helpdesk may take the probe; a filter rule on the X-MailRecovery-Probe header stops it becoming a ticket (docs/probes.md).");
        return probe ? ProbeRemoval.Removed : ProbeRemoval.Gone;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The header block (TOP n 0) is small: buffered and parsed by MimeKit, which only reads it.</summary>
    private static async Task<bool> CarriesAsync(Stream headers, string token, CancellationToken cancellationToken)
    {
        using var block = new MemoryStream();
        await headers.CopyToAsync(block, cancellationToken);
        block.Position = 0;
        HeaderList list = await HeaderList.LoadAsync(block, cancellationToken);
        return string.Equals(list[MessageMetadataReader.ProbeHeader]?.Trim(), token, StringComparison.Ordinal);
    }

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
