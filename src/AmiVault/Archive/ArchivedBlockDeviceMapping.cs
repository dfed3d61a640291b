namespace AmiVault.Archive;

internal sealed record ArchivedBlockDeviceMapping(
    string DeviceName,
    ArchivedEbsMapping? Ebs = null,
    string? VirtualName = null,
    string? NoDevice = null);
