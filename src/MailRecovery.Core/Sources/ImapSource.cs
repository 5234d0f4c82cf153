using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Sources;

/// <summary>
/// An IMAP account (RFC 9051 / 3501). Mailboxes are opened read-only (EXAMINE) unless messages are to be
/// deleted, so reading can never set \Seen.
/// </summary>
public sealed class ImapSource : IMessageSource
{
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly ImapSourceOptions options;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();

    // The watch state (StartWatchingAsync): the folder kept selected, its message count at the start of the pass,
    // the expunges seen since, and the IDLE to end when mail arrives. MailKit raises the events on the thread
    // that reads the responses, inside this connection's own commands, so no lock is needed.
    private IMailFolder? watched;
    private int baseline;
    private int expunged;
    private CancellationTokenSource? idleDone;

    public ImapSource(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust, ImapSourceOptions? options = null)
    {
        Endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
        this.options = options ?? new ImapSourceOptions();
    }

    public SourceEndpoint Endpoint { get; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await ImapSessions.OpenAsync(client, Endpoint, credentials, trust, cancellationToken);
    }

    public async Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken)
    {
        ImapFolder folder = (ImapFolder)await GetFolderAsync(mailbox, cancellationToken);
        FolderAccess access = writable ? FolderAccess.ReadWrite : FolderAccess.ReadOnly;
        if (folder.IsOpen && (folder.Access == access || folder.Access == FolderAccess.ReadWrite && writable))
            return new ImapMailboxReader(folder, client.Capabilities, options);
        await folder.OpenAsync(access, cancellationToken);
        return new ImapMailboxReader(folder, client.Capabilities, options);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (client.IsConnected)
            await client.DisconnectAsync(true, cancellationToken);
    }

    public async Task<bool> StartWatchingAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
            return false;

        if (watched is null)
        {
            IMailFolder folder = await GetFolderAsync(mailbox, cancellationToken);
            if (!folder.IsOpen)
                await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            folder.MessageExpunged += OnExpunged;
            folder.CountChanged += OnCountChanged;
            watched = folder;
        }

        // The baseline is this client's view of the mailbox: an EXISTS the server has not sent yet comes later and
        // counts as arrived, so nothing that lands after this moment can be missed (at worst a message the pass
        // already took causes one more, empty, pass).
        baseline = watched.Count;
        expunged = 0;
        return true;
    }

    public async Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (watched is null && !await StartWatchingAsync(mailbox, cancellationToken))
            return false;

        // RFC 9051 6.1.2: NOOP collects the EXISTS the server held back while this connection was quiet, i.e.
        // the mail that arrived during the pass; without it that mail would wait for the poll interval.
        await client.NoOpAsync(cancellationToken);
        if (Arrived)
            return true;

        // RFC 2177: re-issue IDLE at least every 29 minutes; the caller's maxWait is far shorter.
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        done.CancelAfter(maxWait);
        idleDone = done;
        try
        {
            await client.IdleAsync(done.Token, cancellationToken);
        }
        finally
        {
            idleDone = null;
        }

        return true;
    }

    /// <summary>
    /// More messages than the baseline less those expunged since (by a pass that deletes, or anyone else): mail
    /// arrived. EXPUNGE alone never wakes the watcher.
    /// </summary>
    private bool Arrived => watched is not null && watched.Count > baseline - expunged;

    private void OnExpunged(object? sender, MessageEventArgs e) => expunged++;

    private void OnCountChanged(object? sender, EventArgs e)
    {
        if (Arrived)
            idleDone?.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or TimeoutException or ServiceNotConnectedException)
        {
            // The connection is already gone; nothing is pending on an IMAP connection.
        }

        if (watched is not null)
        {
            watched.MessageExpunged -= OnExpunged;
            watched.CountChanged -= OnCountChanged;
        }

        client.Dispose();
    }

    private Task<IMailFolder> GetFolderAsync(string mailbox, CancellationToken cancellationToken) =>
        ImapFolderLookup.GetAsync(client, mailbox, Endpoint.AccountKey, cancellationToken);
}
