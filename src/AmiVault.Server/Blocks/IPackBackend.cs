using AmiVault.Catalog;
using Microsoft.Extensions.Logging;

namespace AmiVault.Blocks;

/// <summary>
/// Where pack files live: a local folder (<see cref="LocalPackFiles"/>) or an S3 bucket (<see cref="S3PackObjects"/>).
/// The pack store above it (<see cref="PackBlockStore"/>) is the same for both: it decides what is live from the block
/// index, and a backend only lists, reads, writes (through its <see cref="IPackWriter"/>) and removes packs.
/// </summary>
internal interface IPackBackend : IDisposable
{
    /// <summary>Where the packs are, for messages: a folder or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>
    /// Whether other servers may use the same packs and block index (a cluster on S3 and PostgreSQL): then the
    /// per-hash locks of one process do not keep another server from reclaiming a block this one is referencing.
    /// </summary>
    bool IsShared { get; }

    /// <summary>
    /// A pack the block index does not know is removed at start-up only once it is at least this old. Locally the
    /// data folder belongs to one server, so at once; in a bucket another server may be writing a pack whose
    /// locations it has not committed yet.
    /// </summary>
    TimeSpan OrphanGrace { get; }

    /// <summary>
    /// Packs with an id below this were written before <see cref="OrphanGrace"/> began at <paramref name="now"/>: no
    /// server can still be between committing their records' locations and referencing them, so the start-up sweep
    /// may drop what is unreferenced in them. Locally one server owns every pack: all of them.
    /// </summary>
    long SettledBelow(DateTimeOffset now);

    Task<IReadOnlyList<StoredPack>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Why the packs cannot be reached now (readiness: a folder gone, a bucket that does not answer), or null.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads <paramref name="first"/> then <paramref name="second"/> from <paramref name="offset"/> of a pack; returns
    /// how many bytes there were (fewer at the end of the pack). <see cref="PackGoneException"/> when the pack does not exist.
    /// </summary>
    ValueTask<int> ReadAsync(long packId, long offset, Memory<byte> first, Memory<byte> second, CancellationToken cancellationToken);

    /// <summary>Removes packs the index no longer points into; the removal is durable when the task completes.</summary>
    Task DeleteAsync(IReadOnlyCollection<long> packIds, CancellationToken cancellationToken);

    /// <summary>
    /// The writer of new records, once start-up has removed what a crash left over; <paramref name="knownPacks"/> are
    /// the packs the index points into (the local backend goes on appending to the newest of them).
    /// </summary>
    Task<IPackWriter> OpenWriterAsync(IBlockIndex index, IReadOnlyCollection<long> knownPacks, ILogger logger, CancellationToken cancellationToken);
}
