namespace AmiVault.Archive;

/// <summary>The image as archived: the fields of <see cref="Catalog.ImageRecord"/> that survive a move between regions.</summary>
public sealed record ArchivedImage
{
    /// <summary>The id of the image that was stored (the archive is <c>&lt;ImageId&gt;.bin</c>).</summary>
    public required string ImageId { get; init; }

    public required string OwnerId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required string Architecture { get; init; }

    public string? BootMode { get; init; }

    public required string VirtualizationType { get; init; }

    public string? RootDeviceName { get; init; }

    public required string RootDeviceType { get; init; }

    public bool? EnaSupport { get; init; }

    public string? SriovNetSupport { get; init; }

    public string? TpmSupport { get; init; }

    public string? ImdsSupport { get; init; }

    public string? UefiData { get; init; }

    public string? KernelId { get; init; }

    public string? RamdiskId { get; init; }

    public string? ImageLocation { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    /// <summary>Where the stored image was itself copied from, if it was a copy.</summary>
    public string? SourceImageId { get; init; }

    public string? SourceImageRegion { get; init; }

    public IReadOnlyList<ArchivedBlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    public IReadOnlyList<ArchivedTag> Tags { get; init; } = [];
}
