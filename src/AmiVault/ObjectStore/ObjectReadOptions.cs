namespace AmiVault.ObjectStore;

/// <summary>A GET's range and preconditions; ETags may be given quoted or bare.</summary>
internal sealed record ObjectReadOptions
{
    public static readonly ObjectReadOptions Whole = new();

    public ByteRange? Range { get; init; }

    public string? IfMatch { get; init; }

    public string? IfNoneMatch { get; init; }
}
