namespace AmiVault.Catalog;

/// <summary>Where a stored block's record lies: in pack <paramref name="PackId"/>, <paramref name="Length"/> bytes (header and data) from <paramref name="Offset"/>.</summary>
internal readonly record struct BlockLocation(long PackId, long Offset, int Length)
{
    public long End => Offset + Length;
}
