namespace AmiVault.Archive;

public sealed record ArchivedBlockDeviceMapping(
    string DeviceName,
    ArchivedEbsMapping? Ebs = null,
    string? VirtualName = null,
    string? NoDevice = null);
