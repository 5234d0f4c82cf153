using MailRecovery.Core.Sources.Pop3Wire;

namespace MailRecovery.Core.Sources;

/// <summary>
/// The single mailbox of a POP3 session. <see cref="ServerMessage.Index"/> is the message number (RFC 1939 §5),
/// valid for this session only; <see cref="ServerMessage.ServerId"/> the UIDL, or "" without UIDL.
/// </summary>
internal sealed class Pop3MailboxReader : IMailboxReader
{
    private readonly Pop3Session session;
    private readonly Pop3SourceOptions options;

    public Pop3MailboxReader(Pop3Session session, Pop3SourceOptions options)
    {
        this.session = session;
        this.options = options;
    }

    public string Mailbox => string.Empty;

    public uint UidValidity => 0;

    /// <summary>Whether the server answered UIDL; known once <see cref="ListAsync"/> has run.</summary>
    public bool HasStableIds { get; private set; }

    public async Task<IReadOnlyList<ServerMessage>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<int, long> sizes = await session.ListSizesAsync(cancellationToken);
        IReadOnlyDictionary<int, string>? uids = await session.ListUidsAsync(cancellationToken);
        HasStableIds = uids is not null;
        var list = new List<ServerMessage>(sizes.Count);
        foreach ((int number, long size) in sizes)
        {
            string uid = string.Empty;
            if (uids is not null && !uids.TryGetValue(number, out uid!))
                throw new MailKit.Net.Pop3.Pop3ProtocolException($"the POP3 server listed message {number} in LIST but not in UIDL");
            list.Add(new ServerMessage(uid, number, size));
        }

        return list;
    }

    public Task<IReadOnlyList<ServerMessage>> DescribeAsync(IReadOnlyList<ServerMessage> messages, bool withMessageId, CancellationToken cancellationToken) =>
        Task.FromResult(messages); // LIST already gave the sizes; POP3 has no receipt time.

    public Task DownloadAsync(IReadOnlyList<ServerMessage> messages, MessageSink sink, CancellationToken cancellationToken)
    {
        var byNumber = new Dictionary<int, ServerMessage>();
        var numbers = new List<int>(messages.Count);
        foreach (ServerMessage m in messages)
        {
            if (byNumber.TryAdd(m.Index, m))
                numbers.Add(m.Index);
        }

        return session.RetrieveAsync(numbers, options.PipelineCount, (n, stream, ct) => sink(byNumber[n], stream, ct), cancellationToken);
    }

    public async Task RemoveAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count > 0)
            await session.DeleteAsync([.. messages.Select(m => m.Index)], options.PipelineCount, cancellationToken);
    }
}
