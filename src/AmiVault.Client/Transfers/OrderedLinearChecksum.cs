using AmiVault.Ebs;

namespace AmiVault.Transfers;

/// <summary>
/// The LINEAR checksum of blocks sent out of order by parallel workers: each block index is announced in ascending
/// order when it is handed out, and its digest (or "not written", for a zero block) folded in once every block
/// before it is known. Memory is bounded by the blocks in flight, not by the volume.
/// </summary>
internal sealed class OrderedLinearChecksum : IDisposable
{
    private readonly LinearChecksum _linear = new();
    private readonly Queue<long> _expected = new();
    private readonly Dictionary<long, byte[]?> _finished = [];
    private readonly Lock _gate = new();

    /// <summary>Blocks written (with a digest), folded so far.</summary>
    public int WrittenBlocks { get; private set; }

    /// <summary>Announces the next block index handed out; indexes must ascend.</summary>
    public void Expect(long index)
    {
        lock (_gate)
        {
            _expected.Enqueue(index);
        }
    }

    /// <summary>Records a block's SHA-256, or null for a block that was not written (all zeros).</summary>
    public void Complete(long index, byte[]? sha256)
    {
        lock (_gate)
        {
            _finished[index] = sha256;
            while (_expected.TryPeek(out var next) && _finished.Remove(next, out var digest))
            {
                _expected.Dequeue();
                if (digest is not null)
                {
                    _linear.Append(digest);
                    WrittenBlocks++;
                }
            }
        }
    }

    /// <summary>The checksum, base64; every announced block must have completed.</summary>
    public string ToBase64()
    {
        lock (_gate)
        {
            return _expected.Count == 0
                ? _linear.ToBase64()
                : throw new InvalidOperationException($"{_expected.Count} blocks were handed out but not completed.");
        }
    }

    public void Dispose() => _linear.Dispose();
}
