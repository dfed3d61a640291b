using AmiVault.Transfers;

namespace AmiVault.Tests.Transfers;

/// <summary>The part buffers of a copy or a sync: never more memory out at once than the budget, counted as the pool holds it.</summary>
public sealed class TransferBudgetTests
{
    [Fact]
    public async Task A_part_is_counted_at_the_size_of_the_array_the_pool_holds_and_waits_until_memory_is_given_back()
    {
        var budget = new TransferBudget(16L << 20);
        var first = await budget.RentAsync(5L << 20, CancellationToken.None);
        var second = await budget.RentAsync(5L << 20, CancellationToken.None);
        Assert.Equal(5 << 20, first.Memory.Length);
        Assert.True(first.Array.Length >= 5 << 20);

        // Two 5 MiB parts hold two 8 MiB arrays: the whole budget. A third waits.
        var third = budget.RentAsync(1L << 20, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(third.IsCompleted);

        second.Dispose();
        using var got = await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1 << 20, got.Length);
        first.Dispose();
    }

    [Fact]
    public async Task Arrays_are_reused_across_threads_instead_of_each_thread_keeping_its_own()
    {
        var budget = new TransferBudget(8L << 20);
        var seen = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        await Parallel.ForEachAsync(Enumerable.Range(0, 64), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, token) =>
        {
            using var buffer = await budget.RentAsync(8L << 20, token);
            lock (seen)
            {
                seen.Add(buffer.Array);
            }

            await Task.Yield();
        });

        // One 8 MiB array fits the budget at a time, so one array serves every part, whichever thread gave it back.
        Assert.Single(seen);
    }

    [Fact]
    public async Task Disposing_twice_gives_the_memory_back_once()
    {
        var budget = new TransferBudget(8L << 20);
        var buffer = await budget.RentAsync(8L << 20, CancellationToken.None);
        buffer.Dispose();
        buffer.Dispose();
        using var again = await budget.RentAsync(8L << 20, CancellationToken.None);
        var over = budget.RentAsync(1L << 20, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(over.IsCompleted);
        again.Dispose();
        (await over.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
