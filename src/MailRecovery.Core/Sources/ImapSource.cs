using MailKit;
using MailKit.Net.Imap;

namespace MailRecovery.Core.Sources;

/// <summary>
/// An IMAP account (RFC 9051 / 3501). Mailboxes are opened read-only (EXAMINE) unless messages are to be
/// deleted, so reading can never set \Seen.
/// </summary>
public sealed class ImapSource : IMessageSource
{
    private readonly SourceCredentials credentials;
    private readonly CertificateTrust trust;
    private readonly ImapSourceOptions options;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();

    public ImapSource(SourceEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust, ImapSourceOptions? options = null)
    {
        Endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
        this.options = options ?? new ImapSourceOptions();
    }

    public SourceEndpoint Endpoint { get; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await MailServiceConnector.ConnectAsync(client, Endpoint.Host, Endpoint.Port, Endpoint.Tls, trust, cancellationToken);
        await MailServiceConnector.LoginAsync(client, Endpoint.User, credentials.Read(Endpoint.AccountKey), cancellationToken);
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

    public async Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
            return false;

        IMailFolder folder = await GetFolderAsync(mailbox, cancellationToken);
        if (!folder.IsOpen)
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);

        // RFC 2177: re-issue IDLE at least every 29 minutes; the caller's maxWait is far shorter.
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        done.CancelAfter(maxWait);
        void OnCountChanged(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += OnCountChanged;
        try
        {
            await client.IdleAsync(done.Token, cancellationToken);
        }
        finally
        {
            folder.CountChanged -= OnCountChanged;
        }

        return true;
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

        client.Dispose();
    }

    private Task<IMailFolder> GetFolderAsync(string mailbox, CancellationToken cancellationToken) =>
        ImapFolderLookup.GetAsync(client, mailbox, Endpoint.AccountKey, cancellationToken);
}
