using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Primary;

/// <summary>
/// Looks at the helpdesk's POP3 maildrop read-only, on one <see cref="Pop3Session"/>: <c>UIDL</c> and <c>LIST</c>
/// for what is there, <c>TOP n 0</c> (RFC 1939 §7) for the headers of new messages, <c>TOP n 2147483647</c> for a
/// whole message whose Message-ID cannot tell which archived message it is, and QUIT without DELE, so the session
/// changes nothing (§6). Never RETR: Dovecot marks a retrieved message \Seen, which an IMAP view of the same
/// mailbox would show. Everything in a POP3 maildrop is waiting: a POP3 helpdesk takes a message by deleting it.
/// <para>
/// Our own session rather than MailKit's Pop3Client, which can send <c>TOP n 0</c> or <c>RETR</c> only: the whole
/// message must come on the session that listed it, since message numbers hold within one session only (§7), and
/// one login per look is what the helpdesk's server sees from us.
/// </para>
/// </summary>
public sealed class Pop3PrimaryObserver : IPrimaryObserver
{
    private readonly PrimarySpec spec;
    private readonly Pop3Session session = new();
    private readonly Dictionary<string, int> numbers = new(StringComparer.Ordinal);

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
            await Pop3Sessions.OpenAsync(session, e, spec.Credentials, spec.Trust, cancellationToken);
            IReadOnlyList<Pop3Listing> maildrop = await session.ListAsync(cancellationToken);
            var listed = new List<PrimaryListing>(maildrop.Count);
            foreach (Pop3Listing m in maildrop)
            {
                numbers[m.Uid] = m.Number;
                long? size = m.Size < 0 ? null : m.Size;
                if (known.Contains(m.Uid))
                {
                    listed.Add(new PrimaryListing(m.Uid, false, null, size));
                    continue;
                }

                try
                {
                    string? id = await session.TopAsync(m.Number, 0, ReadMessageIdAsync, cancellationToken);
                    listed.Add(new PrimaryListing(m.Uid, true, id, size));
                }
                catch (Pop3CommandException)
                {
                    // Deleted by the helpdesk's own session since UIDL: not waiting any more, and new at the next look.
                }
            }

            return listed;
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"primary {spec.Key}");
        }
    }

    public async Task<string?> FingerprintAsync(string serverId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        if (!numbers.TryGetValue(serverId, out int number))
            throw new InvalidOperationException("list before reading a message");
        try
        {
            return await session.TopAsync(number, Pop3Session.WholeMessage, MessageFingerprint.ComputeAsync, cancellationToken);
        }
        catch (Pop3CommandException)
        {
            return null; // gone since the listing, or a server that refuses it: matched later, or by Message-ID
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ErrorClassifier.Classify(e, $"primary {spec.Key}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await session.QuitAsync(CancellationToken.None); // QUIT without DELE
        }
        catch (Exception e) when (e is IOException or Pop3ProtocolException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // The look is over; nothing was marked for deletion.
        }
    }

    /// <summary>The header block is small: buffered, then read by the same parser the archive uses.</summary>
    private static async Task<string?> ReadMessageIdAsync(Stream headers, CancellationToken cancellationToken)
    {
        using var block = new MemoryStream();
        await headers.CopyToAsync(block, cancellationToken);
        block.Position = 0;
        return MessageMetadataReader.Read(block, DateTimeOffset.MinValue, ReceivedTimeSource.FetchTime).MessageId;
    }
}
