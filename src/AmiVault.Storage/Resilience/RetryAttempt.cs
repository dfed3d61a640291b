namespace AmiVault.Resilience;

/// <summary>
/// The attempt a <see cref="ResiliencePolicy"/> is making, visible to everything it calls (an async-local): nested
/// policies see they are inside one, and <see cref="RetryAfterHandler"/> leaves the server's Retry-After here.
/// </summary>
internal sealed class RetryAttempt(int number)
{
    private long _retryAfterTicks = -1;

    public int Number { get; } = number;

    /// <summary>The longest Retry-After any answer during this attempt asked for; null when none did.</summary>
    public TimeSpan? RetryAfter
    {
        get
        {
            var ticks = Interlocked.Read(ref _retryAfterTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    public void AskedToWait(TimeSpan delay)
    {
        var ticks = Math.Max(0, delay.Ticks);
        long seen;
        while ((seen = Interlocked.Read(ref _retryAfterTicks)) < ticks && Interlocked.CompareExchange(ref _retryAfterTicks, ticks, seen) != seen)
        {
        }
    }
}
