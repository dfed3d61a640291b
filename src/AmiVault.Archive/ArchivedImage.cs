using System.Text.Json.Serialization;

namespace AmiVault.Archive;

/// <summary>The image as archived: the fields of <see cref="Catalog.ImageRecord"/> that survive a move between regions.</summary>
public sealed record ArchivedImage
{
    /// <summary>The id of the image that was stored (the archive is <c>&lt;ImageId&gt;.bin</c>).</summary>
    [JsonPropertyName("imageId")]
    public required string ImageId { get; init; }

    [JsonPropertyName("ownerId")]
    public required string OwnerId { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    [JsonPropertyName("bootMode")]
    public string? BootMode { get; init; }

    [JsonPropertyName("virtualizationType")]
    public required string VirtualizationType { get; init; }

    [JsonPropertyName("rootDeviceName")]
    public string? RootDeviceName { get; init; }

    [JsonPropertyName("rootDeviceType")]
    public required string RootDeviceType { get; init; }

    [JsonPropertyName("enaSupport")]
    public bool? EnaSupport { get; init; }

    [JsonPropertyName("sriovNetSupport")]
    public string? SriovNetSupport { get; init; }

    [JsonPropertyName("tpmSupport")]
    public string? TpmSupport { get; init; }

    [JsonPropertyName("imdsSupport")]
    public string? ImdsSupport { get; init; }

    [JsonPropertyName("uefiData")]
    public string? UefiData { get; init; }

    [JsonPropertyName("kernelId")]
    public string? KernelId { get; init; }

    [JsonPropertyName("ramdiskId")]
    public string? RamdiskId { get; init; }

    [JsonPropertyName("imageLocation")]
    public string? ImageLocation { get; init; }

    [JsonPropertyName("creationDate")]
    public required DateTimeOffset CreationDate { get; init; }

    /// <summary>Where the stored image was itself copied from, if it was a copy.</summary>
    [JsonPropertyName("sourceImageId")]
    public string? SourceImageId { get; init; }

    [JsonPropertyName("sourceImageRegion")]
    public string? SourceImageRegion { get; init; }

    [JsonPropertyName("blockDeviceMappings")]
    public IReadOnlyList<ArchivedBlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    [JsonPropertyName("tags")]
    public IReadOnlyList<ArchivedTag> Tags { get; init; } = [];
}
