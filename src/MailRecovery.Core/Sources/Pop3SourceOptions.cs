namespace MailRecovery.Core.Sources;

/// <summary>Tuning of POP3 downloads.</summary>
public sealed class Pop3SourceOptions
{
    /// <summary>
    /// The most RETR (or DELE) commands sent before their replies are read, when the server announces PIPELINING
    /// (RFC 2449 §6.6). Messages stream as they arrive, so this bounds round trips, not memory; 200 commands are
    /// under 3 KB, far below any socket's send buffer, so the commands never wait behind unread replies.
    /// </summary>
    /// <value>The default value is 200.</value>
    public int PipelineCount { get; set; } = 200;
}
