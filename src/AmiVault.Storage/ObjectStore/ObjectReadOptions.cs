namespace AmiVault.ObjectStore;

/// <summary>
/// A GET's range (bytes, or one part of a multipart object) and preconditions; ETags may be given quoted or bare.
/// </summary>
internal sealed record ObjectReadOptions
{
    public static readonly ObjectReadOptions Whole = new();

    public ByteRange? Range { get; init; }

    /// <summary>Reads one part of a multipart object (part 1 of a simple object is all of it).</summary>
    public int? PartNumber { get; init; }

    public string? IfMatch { get; init; }

    public string? IfNoneMatch { get; init; }
}
