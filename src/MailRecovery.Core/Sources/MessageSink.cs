namespace MailRecovery.Core.Sources;

/// <summary>
/// Receives one downloaded message as a stream of the exact bytes the server sent. The stream is valid only
/// during the call; the sink must read it to the end before returning.
/// </summary>
public delegate Task MessageSink(ServerMessage message, Stream content, CancellationToken cancellationToken);
