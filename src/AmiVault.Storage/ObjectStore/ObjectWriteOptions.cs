namespace AmiVault.ObjectStore;

/// <summary>
/// How an object is written. <see cref="Metadata"/> keys are without the x-amz-meta- prefix.
/// <see cref="Encrypt"/> null means the bucket's default; <see cref="ContentMd5"/> is checked against the data.
/// </summary>
internal sealed record ObjectWriteOptions
{
    public static readonly ObjectWriteOptions Default = new();

    public string? ContentType { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires (<see cref="ObjectHeaders"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ObjectHeaders.None;

    public bool? Encrypt { get; init; }

    public byte[]? ContentMd5 { get; init; }

    /// <summary>The body's flexible checksum, verified and known once the body has been read to its end; kept with the object.</summary>
    public ChecksummingStream? Checksum { get; init; }

    /// <summary>
    /// CreateMultipartUpload's x-amz-checksum-algorithm (S3's spelling): every part then has a checksum of it, and the
    /// object a composite one (<see cref="ChecksumComposite"/>) or one of the full object.
    /// </summary>
    public string? ChecksumAlgorithm { get; init; }

    public bool ChecksumComposite { get; init; }

    /// <summary>If-Match / If-None-Match: * of a conditional PutObject.</summary>
    public WriteCondition? Condition { get; init; }
}
