namespace MailRecovery.Core.Sources;

/// <summary>Tuning of POP3 downloads.</summary>
public sealed class Pop3SourceOptions
{
    /// <summary>
    /// RETR commands are pipelined (RFC 2449 PIPELINING) in groups whose announced sizes add up to at most
    /// this many bytes; MailKit holds a group in memory until its last reply, so this bounds memory.
    /// </summary>
    /// <value>The default value is 2 MiB: still ~200 ordinary messages per group (the count limit), less memory held.</value>
    public long PipelineBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>The most RETR commands in one pipelined group.</summary>
    /// <value>The default value is 200.</value>
    public int PipelineCount { get; set; } = 200;
}
