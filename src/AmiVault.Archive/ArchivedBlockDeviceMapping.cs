using System.Text.Json.Serialization;

namespace AmiVault.Archive;

public sealed record ArchivedBlockDeviceMapping(
    [property: JsonPropertyName("deviceName")] string DeviceName,
    [property: JsonPropertyName("ebs")] ArchivedEbsMapping? Ebs = null,
    [property: JsonPropertyName("virtualName")] string? VirtualName = null,
    [property: JsonPropertyName("noDevice")] string? NoDevice = null);
