using MailKit;
using MailKit.Net.Pop3;

namespace MailRecovery.Core.Sources;

/// <summary>The single mailbox of a POP3 session.</summary>
internal sealed class Pop3MailboxReader : IMailboxReader
{
    private readonly Pop3Client client;
    private readonly Pop3SourceOptions options;
    private readonly ReleasedMemoryCollector releasedMemory = new();

    public Pop3MailboxReader(Pop3Client client, Pop3SourceOptions options)
    {
        this.client = client;
        this.options = options;
    }

    public string Mailbox => string.Empty;

    public uint UidValidity => 0;

    public bool HasStableIds => client.Capabilities.HasFlag(Pop3Capabilities.UIDL);

    public async Task<IReadOnlyList<ServerMessage>> ListAsync(CancellationToken cancellationToken)
    {
        if (client.Count == 0)
            return [];
        IList<int> sizes = await client.GetMessageSizesAsync(cancellationToken);
        IList<string>? uids = HasStableIds ? await client.GetMessageUidsAsync(cancellationToken) : null;
        var list = new List<ServerMessage>(sizes.Count);
        for (int i = 0; i < sizes.Count; i++)
            list.Add(new ServerMessage(uids?[i] ?? string.Empty, i, sizes[i]));
        return list;
    }

    public Task<IReadOnlyList<ServerMessage>> DescribeAsync(IReadOnlyList<ServerMessage> messages, bool withMessageId, CancellationToken cancellationToken) =>
        Task.FromResult(messages); // LIST already gave the sizes; POP3 has no receipt time.

    public async Task DownloadAsync(IReadOnlyList<ServerMessage> messages, MessageSink sink, CancellationToken cancellationToken)
    {
        foreach (List<ServerMessage> group in Group(messages))
        {
            if (group.Count == 1)
            {
                await using (Stream stream = await client.GetStreamAsync(group[0].Index, false, cancellationToken))
                    await sink(group[0], stream, cancellationToken);

                if (group[0].Size > options.PipelineBytes)
                    releasedMemory.Released(group[0].Size);
                continue;
            }

            // MailKit pipelines the RETRs when the server announces PIPELINING, else sends them one by one.
            IList<Stream> streams = await client.GetStreamsAsync(group.Select(m => m.Index).ToList(), false, cancellationToken);
            try
            {
                for (int i = 0; i < group.Count; i++)
                    await sink(group[i], streams[i], cancellationToken);
            }
            finally
            {
                foreach (Stream s in streams)
                    await s.DisposeAsync();
            }
        }
    }

    public async Task RemoveAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count > 0)
            await client.DeleteMessagesAsync(messages.Select(m => m.Index).ToList(), cancellationToken);
    }

    private IEnumerable<List<ServerMessage>> Group(IReadOnlyList<ServerMessage> messages)
    {
        var group = new List<ServerMessage>();
        long bytes = 0;
        foreach (ServerMessage m in messages)
        {
            if (group.Count > 0 && (bytes + m.Size > options.PipelineBytes || group.Count >= options.PipelineCount))
            {
                yield return group;
                group = [];
                bytes = 0;
            }

            group.Add(m);
            bytes += Math.Max(0, m.Size);
        }

        if (group.Count > 0)
            yield return group;
    }
}
