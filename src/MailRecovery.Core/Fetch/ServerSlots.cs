namespace MailRecovery.Core.Fetch;

/// <summary>
/// At most a given number of passes (each with its own connection, and the IDLE connection being opened) per
/// server at once, handed out first come, first served: an account that just had its turn queues behind every
/// account already waiting, so with 1,000 accounts none starves and none takes two turns while another waits.
/// Servers limit connections per server or per user (Dovecot's process limits, Microsoft 365's and Gmail's
/// per-mailbox caps); watch keeps one set of slots per server and one per mailbox (<see cref="WatchConnectionPlan"/>).
/// </summary>
/// <param name="capOf">The number of slots of a key, asked once when the key is first used.</param>
internal sealed class ServerSlots(Func<string, int> capOf)
{
    public ServerSlots(int perServer)
        : this(_ => perServer)
    {
    }

    private readonly Dictionary<string, Server> servers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a slot on <paramref name="server"/> (a key: host:port, or user@host:port); dispose the result to give it back.</summary>
    public async Task<IDisposable> TakeAsync(string server, CancellationToken cancellationToken)
    {
        Server s;
        lock (servers)
        {
            if (!servers.TryGetValue(server, out s!))
                servers[server] = s = new Server(Math.Max(1, capOf(server)));
        }

        TaskCompletionSource<bool> turn;
        lock (s)
        {
            if (s.Busy < s.Cap)
            {
                s.Busy++;
                return new Slot(s);
            }

            turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            s.Waiting.AddLast(turn);
        }

        using (cancellationToken.Register(() => Cancel(s, turn, cancellationToken)))
            await turn.Task;
        return new Slot(s);
    }

    /// <summary>The most slots in use on one server at any time so far (the metric tests read).</summary>
    public int MostBusy
    {
        get
        {
            lock (servers)
                return servers.Values.Select(s => s.MostBusy).DefaultIfEmpty(0).Max();
        }
    }

    private static void Cancel(Server s, TaskCompletionSource<bool> turn, CancellationToken cancellationToken)
    {
        lock (s)
        {
            if (!s.Waiting.Remove(turn))
                return; // already handed the slot: the caller gives it back as usual
        }

        turn.TrySetCanceled(cancellationToken);
    }

    private sealed class Server(int cap)
    {
        public int Cap { get; } = cap;

        public int Busy { get; set; }

        public int MostBusy { get; set; }

        public LinkedList<TaskCompletionSource<bool>> Waiting { get; } = new();
    }

    /// <summary>A slot in use; giving it back hands it to the longest waiter, if any (the count stays the same).</summary>
    private sealed class Slot : IDisposable
    {
        private Server? server;

        public Slot(Server server)
        {
            this.server = server;
            lock (server)
                server.MostBusy = Math.Max(server.MostBusy, server.Busy);
        }

        public void Dispose()
        {
            Server? s = Interlocked.Exchange(ref server, null);
            if (s is null)
                return;
            TaskCompletionSource<bool>? next = null;
            lock (s)
            {
                if (s.Waiting.First is { } first)
                {
                    next = first.Value;
                    s.Waiting.RemoveFirst();
                }
                else
                {
                    s.Busy--;
                }
            }

            next?.TrySetResult(true);
        }
    }
}
