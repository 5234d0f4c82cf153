using MailRecovery.Core.Fetch;

namespace MailRecovery.Tests.Fetch;

/// <summary>The per-server cap of watch: first come, first served, no account starves.</summary>
public sealed class ServerSlotsTests
{
    [Fact]
    public async Task Slots_go_to_waiters_in_the_order_they_came_and_an_account_that_had_its_turn_queues_behind_the_others()
    {
        var slots = new ServerSlots(1);
        IDisposable a = await slots.TakeAsync("mail:993", CancellationToken.None);
        var order = new List<string>();
        async Task Turn(string name)
        {
            using (await slots.TakeAsync("mail:993", CancellationToken.None))
            {
                lock (order)
                    order.Add(name);
                await Task.Yield();
            }
        }

        Task b = Turn("b");
        Task c = Turn("c");
        Task aAgain = Task.Run(async () =>
        {
            a.Dispose(); // a's turn ends; it queues again, behind b and c
            await Turn("a");
        });
        Task d = Turn("d");
        await Task.WhenAll(b, c, aAgain, d).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["b", "c"], order.Take(2));
        Assert.Equal(4, order.Count);
        Assert.Equal(1, slots.MostBusy);
    }

    [Fact]
    public async Task Each_server_has_its_own_slots_and_a_cancelled_waiter_takes_none()
    {
        var slots = new ServerSlots(2);
        IDisposable x1 = await slots.TakeAsync("x:993", CancellationToken.None);
        IDisposable x2 = await slots.TakeAsync("x:993", CancellationToken.None);
        IDisposable y1 = await slots.TakeAsync("y:993", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)); // another server: not blocked by x

        using var cancel = new CancellationTokenSource();
        Task<IDisposable> cancelled = slots.TakeAsync("x:993", cancel.Token);
        Task<IDisposable> waiting = slots.TakeAsync("x:993", CancellationToken.None);
        Assert.False(cancelled.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        x1.Dispose(); // goes to the waiter that is still there
        using IDisposable x3 = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        x2.Dispose();
        y1.Dispose();
        Assert.Equal(2, slots.MostBusy);
    }

    [Fact]
    public async Task With_one_slot_and_every_account_always_waiting_each_is_served_within_one_round()
    {
        // SemaphoreSlim does not promise FIFO: an account that gives back its slot and asks again at once could win
        // it again and starve the others. Here each account, when served, gives its slot back and asks again at
        // once, one step at a time (no thread races the order): the turns must go round.
        const int Accounts = 6, Turns = 60;
        var slots = new ServerSlots(1);
        IDisposable held = await slots.TakeAsync("s", CancellationToken.None);
        var asking = Enumerable.Range(0, Accounts).Select(_ => slots.TakeAsync("s", CancellationToken.None)).ToList();
        var order = new List<int>();
        for (int t = 0; t < Turns; t++)
        {
            held.Dispose();
            Task<IDisposable> served = await Task.WhenAny(asking).WaitAsync(TimeSpan.FromSeconds(10));
            int account = asking.IndexOf(served);
            Assert.Equal(1, asking.Count(a => a.IsCompleted)); // one slot: one account served
            order.Add(account);
            held = await served;
            asking[account] = slots.TakeAsync("s", CancellationToken.None); // asks again while it still holds the slot's turn
        }

        held.Dispose();
        for (int i = 0; i + Accounts <= order.Count; i++)
            Assert.Equal(Accounts, order.Skip(i).Take(Accounts).Distinct().Count());
    }

    [Fact]
    public async Task Each_key_has_the_cap_the_function_gives_it()
    {
        var slots = new ServerSlots(key => key == "wide" ? 3 : 1);
        IDisposable[] wide = [await slots.TakeAsync("wide", CancellationToken.None), await slots.TakeAsync("wide", CancellationToken.None), await slots.TakeAsync("wide", CancellationToken.None)];
        IDisposable narrow = await slots.TakeAsync("narrow", CancellationToken.None);

        Task<IDisposable> fourth = slots.TakeAsync("wide", CancellationToken.None);
        Task<IDisposable> second = slots.TakeAsync("narrow", CancellationToken.None);
        Assert.False(fourth.IsCompleted);
        Assert.False(second.IsCompleted);

        narrow.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        wide[0].Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(3, slots.MostBusy);
    }
}
