namespace MailRecovery.Tests.TestBed;

/// <summary>Which bytes a <see cref="ResettingProxy"/> counts towards its reset.</summary>
public enum ResetDirection
{
    /// <summary>Bytes the server sends to the client: a download (fetch) that breaks off.</summary>
    ToClient,

    /// <summary>Bytes the client sends to the server: an upload (replay's APPEND) that breaks off.</summary>
    FromClient,
}
