using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Sources;

/// <summary>
/// A POP3 account (RFC 1939), read with our own <see cref="Pop3Session"/>: RETR streams each message to the archive,
/// so memory does not grow with the message size (MailKit's Pop3Client holds every RETR whole). Messages are
/// recognised by UIDL (RFC 1939 §7); deletions (DELE) only take effect at QUIT, which <see cref="CommitAsync"/>
/// sends once the whole pass is archived.
/// </summary>
public sealed class Pop3Source : IMessageSource
{
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly Pop3SourceOptions options;
    private readonly Pop3Session session = new();

    public Pop3Source(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust, Pop3SourceOptions? options = null)
    {
        Endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
        this.options = options ?? new Pop3SourceOptions();
    }

    public SourceEndpoint Endpoint { get; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await Pop3Sessions.OpenAsync(session, Endpoint, credentials, trust, cancellationToken);
    }

    public Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken) =>
        Task.FromResult<IMailboxReader>(new Pop3MailboxReader(session, options));

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        // QUIT moves the session to the UPDATE state: only now are the DELE'd messages removed (RFC 1939 §6).
        if (session.IsConnected)
            await session.QuitAsync(cancellationToken);
    }

    public Task<bool> StartWatchingAsync(string mailbox, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    public Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    /// <summary>
    /// Closes the connection without QUIT: a session that ends without QUIT rolls back its deletions, which is what
    /// a failed pass must do.
    /// </summary>
    public ValueTask DisposeAsync() => session.DisposeAsync();
}
