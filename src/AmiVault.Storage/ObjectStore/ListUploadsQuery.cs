namespace AmiVault.ObjectStore;

/// <summary>A page of unfinished multipart uploads, in key then upload-id order, after the markers.</summary>
internal sealed record ListUploadsQuery
{
    public string Prefix { get; init; } = "";

    public string? KeyMarker { get; init; }

    public string? UploadIdMarker { get; init; }

    public int MaxUploads { get; init; } = 1000;
}
