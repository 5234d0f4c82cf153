namespace MailRecovery.Core.Resilience;

/// <summary>
/// How many deliveries a replay keeps in flight at once on a server that may start deferring: additive increase,
/// multiplicative decrease, as TCP (RFC 5681 §3.1). A "try later" answer (SMTP 4xx, such as Postfix's
/// <c>421 too many connections</c>) halves the limit, down to one; each run of as many successes as the limit
/// raises it by one, never past the configured most. So a server that only takes two connections at a time
/// settles at two, and one that deferred for a moment is back at the most after a few dozen messages.
/// <para>Thread-safe: deliveries in flight report deferrals while the run's loop reads the limit.</para>
/// </summary>
public sealed class AdaptiveConcurrency
{
    private readonly Lock gate = new();
    private readonly int most;
    private int limit;
    private int streak;

    /// <param name="most">The configured number of connections (at least 1).</param>
    public AdaptiveConcurrency(int most)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(most, 1);
        this.most = most;
        limit = most;
    }

    /// <summary>The most deliveries to have in flight now, from 1 to the configured most.</summary>
    public int Limit
    {
        get
        {
            lock (gate)
                return limit;
        }
    }

    /// <summary>The server said "try later": halve the limit (at least 1) and start counting successes anew.</summary>
    public void Deferred()
    {
        lock (gate)
        {
            limit = Math.Max(1, limit / 2);
            streak = 0;
        }
    }

    /// <summary>A delivery went through: one more in flight after as many successes in a row as the limit.</summary>
    public void Succeeded()
    {
        lock (gate)
        {
            if (limit >= most || ++streak < limit)
                return;
            limit++;
            streak = 0;
        }
    }
}
