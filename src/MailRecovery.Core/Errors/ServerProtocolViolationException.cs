namespace MailRecovery.Core.Errors;

/// <summary>
/// The server sent something its protocol does not allow (a FETCH answer for a UID that was not asked for, a
/// line without end). Thrown by our adapters where they check the server; <see cref="ErrorClassifier"/> tells it
/// as a protocol violation in words, for the account, and the other accounts go on.
/// </summary>
public sealed class ServerProtocolViolationException : Exception
{
    public ServerProtocolViolationException()
        : this("the server broke its protocol")
    {
    }

    /// <param name="message">What the server did, in words, e.g. "it answered a FETCH for UID 99, which was not asked for".</param>
    public ServerProtocolViolationException(string message)
        : base(message)
    {
    }

    public ServerProtocolViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
