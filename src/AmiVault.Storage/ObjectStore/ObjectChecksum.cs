using System.Globalization;

namespace AmiVault.ObjectStore;

/// <summary>
/// A flexible checksum kept with an object or a part: its algorithm (S3's spelling, <see cref="FlexibleChecksum"/>)
/// and base64 value. A multipart object's checksum is <see cref="Composite"/> (the checksum of its parts' checksums,
/// answered with "-<see cref="Parts"/>" after it) or of the full object.
/// </summary>
internal sealed record ObjectChecksum(string Algorithm, string Value, bool Composite = false, int Parts = 0)
{
    public const string FullObjectType = "FULL_OBJECT";
    public const string CompositeType = "COMPOSITE";

    /// <summary>x-amz-checksum-type: FULL_OBJECT or COMPOSITE.</summary>
    public string Type => Composite ? CompositeType : FullObjectType;

    /// <summary>The value as GET, HEAD and CompleteMultipartUpload answer it: a composite one ends in -N.</summary>
    public string WireValue => Composite ? string.Create(CultureInfo.InvariantCulture, $"{Value}-{Parts}") : Value;

    public string Header => FlexibleChecksum.HeaderOf(Algorithm);
}
