namespace AmiVault.Blocks;

/// <summary>Writes batches of records to packs for <see cref="PackAppender"/>, which serialises the calls as each writer asks.</summary>
internal interface IPackWriter : IDisposable
{
    /// <summary>How many <see cref="WriteAsync"/> calls may run at once: 1 where records go one after another into a file.</summary>
    int MaxConcurrentWrites { get; }

    /// <summary>
    /// Writes records (the buffers, one after another) durably: when the task completes they survive a crash (local)
    /// or the loss of this server (S3). Returns the pack they are in and the offset of the first. On failure nothing of
    /// the batch may be referenced, and the next batch must still be writable.
    /// </summary>
    Task<(long PackId, long Offset)> WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, long bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Called with no write running: closes the pack still receiving records when <paramref name="isEmpty"/> says
    /// nothing in it is live. Returns the first pack id that may still receive records (every lower one is closed);
    /// <see cref="long.MaxValue"/> where every pack is closed as soon as it is written.
    /// </summary>
    Task<long> SealAsync(Func<long, Task<bool>> isEmpty);
}
