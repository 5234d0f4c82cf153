using MailKit;
using MailKit.Net.Pop3;

namespace MailRecovery.Core.Sources;

/// <summary>
/// A POP3 account (RFC 1939). Messages are recognised by UIDL (RFC 1939 §7); deletions (DELE) only take
/// effect at QUIT, which <see cref="CommitAsync"/> sends once the whole pass is archived.
/// </summary>
public sealed class Pop3Source : IMessageSource
{
    private readonly SourceCredentials credentials;
    private readonly CertificateTrust trust;
    private readonly Pop3SourceOptions options;
    private readonly Pop3Client client = MailServiceConnector.NewPop3Client();

    public Pop3Source(SourceEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust, Pop3SourceOptions? options = null)
    {
        Endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
        this.options = options ?? new Pop3SourceOptions();
    }

    public SourceEndpoint Endpoint { get; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await MailServiceConnector.ConnectAsync(client, Endpoint.Host, Endpoint.Port, Endpoint.Tls, trust, cancellationToken);
        await MailServiceConnector.LoginAsync(client, Endpoint.User, credentials.Read(Endpoint.AccountKey), cancellationToken);
    }

    public Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken) =>
        Task.FromResult<IMailboxReader>(new Pop3MailboxReader(client, options));

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        // QUIT moves the session to the UPDATE state: only now are the DELE'd messages removed (RFC 1939 §6).
        if (client.IsConnected)
            await client.DisconnectAsync(true, cancellationToken);
    }

    public Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    public ValueTask DisposeAsync()
    {
        // No QUIT here: a session that ends without QUIT rolls back its deletions, which is what a failed
        // pass must do.
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
