using System.Numerics;

namespace AmiVault.Imaging;

/// <summary>
/// A small, fast pseudo-random generator whose output is fixed by its seed on every platform and .NET version
/// (System.Random's seeded sequence is a compatibility detail, and too slow to fill gigabytes).
/// A mutable struct: pass it by ref.
/// </summary>
internal struct Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256StarStar(ulong seed)
    {
        // SplitMix64 spreads any seed, even 0, over the whole state as the algorithm's authors recommend.
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    /// <summary>A seed for an independent stream, derived from a parent seed and an index (a page, a region).</summary>
    public static ulong Derive(ulong seed, ulong index)
    {
        var state = seed ^ (index * 0xD1B54A32D192ED03UL);
        return SplitMix64(ref state);
    }

    public ulong Next()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="count"/>).</summary>
    public long NextBelow(long count) => (long)Math.BigMul(Next(), (ulong)count, out _);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long NextBetween(long min, long max) => min + NextBelow(max - min + 1);

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
