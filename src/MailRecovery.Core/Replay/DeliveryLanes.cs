using System.Runtime.ExceptionServices;
using MailRecovery.Core.Resilience;

namespace MailRecovery.Core.Replay;

/// <summary>
/// The deliveries a replay has in flight at once, on a target with several connections
/// (<see cref="IReplayTarget.MaxParallelDeliveries"/>). A delivery only talks to the target; its outcome is
/// settled (journaled, counted, shown) by the run's own loop, through <c>settle</c>, one at a time: the journal
/// keeps one writer, and each intent is durable before its delivery starts because the loop writes it before
/// <see cref="Start"/>. Messages start in plan order and may finish in any order.
/// <para>Not thread-safe: only the run's loop calls it (the deliveries themselves never do).</para>
/// </summary>
internal sealed class DeliveryLanes
{
    private readonly List<(ReplayItem Item, Task<ExceptionDispatchInfo?> Delivery)> inFlight = [];
    private readonly Action<ReplayItem, ExceptionDispatchInfo?> settle;

    /// <param name="connections">The most deliveries in flight (the target's connections).</param>
    /// <param name="settle">Records a finished delivery's outcome (null: delivered); throws what stops the run.</param>
    public DeliveryLanes(int connections, Action<ReplayItem, ExceptionDispatchInfo?> settle)
    {
        Concurrency = new AdaptiveConcurrency(connections);
        this.settle = settle;
    }

    /// <summary>How many may be in flight now: fewer after the target said "try later".</summary>
    public AdaptiveConcurrency Concurrency { get; }

    /// <summary>Adds a delivery whose intent is durable. The task never faults: it returns what the delivery threw.</summary>
    public void Start(ReplayItem item, Task<ExceptionDispatchInfo?> delivery) => inFlight.Add((item, delivery));

    /// <summary>Settles the deliveries that have finished, in the order they were started.</summary>
    /// <exception cref="Exception">What <c>settle</c> throws for an error that stops the run.</exception>
    public void SettleFinished()
    {
        for (int i = 0; i < inFlight.Count;)
        {
            if (!inFlight[i].Delivery.IsCompleted)
            {
                i++;
                continue;
            }

            (ReplayItem item, Task<ExceptionDispatchInfo?> delivery) = inFlight[i];
            inFlight.RemoveAt(i);
            ExceptionDispatchInfo? error = delivery.Result;
            if (error is null)
                Concurrency.Succeeded();
            else if (error.SourceException is DeliveryException { Outcome: DeliveryOutcome.TryLater })
                Concurrency.Deferred();
            settle(item, error);
        }
    }

    /// <summary>Waits, settling what finishes meanwhile, until one more delivery may start.</summary>
    public async Task WaitForSlotAsync()
    {
        SettleFinished();
        while (inFlight.Count >= Concurrency.Limit)
        {
            await Task.WhenAny(inFlight.Select(f => f.Delivery));
            SettleFinished();
        }
    }

    /// <summary>Waits for <paramref name="wait"/> (the pace's delay), settling what finishes meanwhile.</summary>
    public async Task WhileAsync(Task wait)
    {
        while (!wait.IsCompleted && inFlight.Count > 0)
        {
            await Task.WhenAny(inFlight.Select(f => f.Delivery).Append(wait));
            SettleFinished();
        }

        await wait;
    }

    /// <summary>Waits for every delivery in flight and settles each, even after one of them stops the run.</summary>
    /// <returns>The first error that stops the run, or null: the caller throws it, or drops it when stopping already.</returns>
    public async Task<ExceptionDispatchInfo?> SettleAllAsync()
    {
        ExceptionDispatchInfo? first = null;
        while (inFlight.Count > 0)
        {
            await Task.WhenAny(inFlight.Select(f => f.Delivery));
            try
            {
                SettleFinished();
            }
            catch (Exception e)
            {
                // Every finished delivery is still journaled before the run stops, so none is left "unfinished".
                first ??= ExceptionDispatchInfo.Capture(e);
            }
        }

        return first;
    }
}
