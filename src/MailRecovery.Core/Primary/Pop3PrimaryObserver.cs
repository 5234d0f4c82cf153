using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Core.Primary;

/// <summary>
/// Looks at the helpdesk's POP3 maildrop read-only: <c>UIDL</c> and <c>LIST</c> for what is there, <c>TOP n 0</c>
/// (RFC 1939 §7) for the headers of new messages, QUIT without DELE, so the session changes nothing (§6).
/// Everything in a POP3 maildrop is waiting: a POP3 helpdesk takes a message by deleting it.
/// Never RETR: Dovecot marks a retrieved message \Seen, which an IMAP view of the same mailbox would show.
/// A whole message cannot be read without RETR through MailKit (it sends <c>TOP n 0</c> or <c>RETR</c> only), so
/// <see cref="FingerprintAsync"/> answers null and such a message is matched by its Message-ID once that is unique
/// in the archive (see <see cref="PrimaryLedger.MatchPending"/>).
/// </summary>
public sealed class Pop3PrimaryObserver : IPrimaryObserver
{
    private const int HeaderBatch = 200;
    private readonly PrimarySpec spec;
    private readonly Pop3Client client = new();

    public Pop3PrimaryObserver(PrimarySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        this.spec = spec;
    }

    public async Task<IReadOnlyList<PrimaryListing>> ListWaitingAsync(IReadOnlySet<string> known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        try
        {
            SourceEndpoint e = spec.Endpoint;
            await MailServiceConnector.ConnectAsync(client, e.Host, e.Port, e.Tls, spec.Trust, cancellationToken);
            await MailServiceConnector.LoginAsync(client, e.User, spec.Credentials.Read(e.AccountKey), cancellationToken);
            if (client.Count == 0)
                return [];
            IList<string> uids = await client.GetMessageUidsAsync(cancellationToken);
            IList<int> sizes = await client.GetMessageSizesAsync(cancellationToken);
            var listed = new List<PrimaryListing>(uids.Count);
            var fresh = new List<int>();
            for (int i = 0; i < uids.Count; i++)
            {
                if (known.Contains(uids[i]))
                    listed.Add(new PrimaryListing(uids[i], false, null, sizes[i]));
                else
                    fresh.Add(i);
            }

            foreach (int[] batch in fresh.Chunk(HeaderBatch))
            {
                IList<HeaderList> headers = await client.GetMessageHeadersAsync(batch, cancellationToken);
                for (int j = 0; j < batch.Length; j++)
                    listed.Add(new PrimaryListing(uids[batch[j]], true, MessageMetadataReader.MessageId(headers[j]), sizes[batch[j]]));
            }

            return listed;
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"primary {spec.Key}");
        }
    }

    public Task<string?> FingerprintAsync(string serverId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None); // QUIT without DELE
        }
        catch (Exception e) when (e is IOException or Pop3ProtocolException or Pop3CommandException or OperationCanceledException)
        {
            // The look is over; nothing was marked for deletion.
        }

        client.Dispose();
    }
}
