using System.Text.RegularExpressions;
using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// Reads RegisterImage's `BlockDeviceMapping.N.*` into catalog mappings, checked as EC2 checks them: one device per
/// name; each mapping is an EBS volume, an instance store (VirtualName) or a suppression (NoDevice); EBS volumes
/// come from COMPLETED snapshots of the caller and get EC2's defaults (size of the snapshot, gp2,
/// delete on termination, the snapshot's encryption).
/// </summary>
internal sealed partial class BlockDeviceMappingReader(OwnedResources owned)
{
    private const int MaxMappings = 128;

    private static readonly string[] UnsupportedEbsMembers = ["OutpostArn", "AvailabilityZone", "AvailabilityZoneId", "EbsCardIndex", "VolumeInitializationRate"];

    public async Task<List<BlockDeviceMapping>> ReadAsync(Ec2Call call)
    {
        var structures = call.Parameters.Structures("BlockDeviceMapping");
        if (structures.Count > MaxMappings)
        {
            throw Invalid($"An image may have at most {MaxMappings} block device mappings.");
        }

        var mappings = new List<BlockDeviceMapping>(structures.Count);
        foreach (var mapping in structures)
        {
            var device = mapping.Required("DeviceName");
            if (device.Length > 32 || !DeviceNamePattern().IsMatch(device))
            {
                throw Invalid($"The device name '{device[..Math.Min(device.Length, 32)]}' is not valid (expected e.g. /dev/sda1 or /dev/xvdb).");
            }

            if (mappings.Any(m => m.DeviceName == device))
            {
                throw Invalid($"The device name {device} is mapped more than once.");
            }

            mappings.Add(await ReadOneAsync(call, mapping, device));
        }

        return mappings;
    }

    private static Ec2Exception Invalid(string message) => new("InvalidBlockDeviceMapping", message);

    private async Task<BlockDeviceMapping> ReadOneAsync(Ec2Call call, Ec2Parameters mapping, string device)
    {
        var ebs = mapping.Structure("Ebs");
        var virtualName = mapping.Get("VirtualName");
        var noDevice = mapping.Get("NoDevice");
        if ((ebs is null ? 0 : 1) + (virtualName is null ? 0 : 1) + (noDevice is null ? 0 : 1) != 1)
        {
            throw Invalid($"The mapping of {device} must have exactly one of Ebs, VirtualName or NoDevice.");
        }

        if (virtualName is not null)
        {
            return VirtualNamePattern().IsMatch(virtualName)
                ? new BlockDeviceMapping(device, VirtualName: virtualName)
                : throw Invalid($"The virtual name '{virtualName[..Math.Min(virtualName.Length, 32)]}' of {device} is not valid (expected ephemeral0 to ephemeral23).");
        }

        // EC2 answers an empty <noDevice/> for a suppressed device, whatever value was sent.
        return noDevice is not null ? new BlockDeviceMapping(device, NoDevice: "") : new BlockDeviceMapping(device, await ReadEbsAsync(call, ebs!, device));
    }

    private async Task<EbsMapping> ReadEbsAsync(Ec2Call call, Ec2Parameters ebs, string device)
    {
        foreach (var member in UnsupportedEbsMembers.Where(m => ebs.Get(m) is not null))
        {
            throw new Ec2Exception("InvalidParameter", $"{member} is not supported in an AMI's block device mapping ({device}).");
        }

        var type = ebs.OneOf("VolumeType", [.. VolumeTypeRule.All.Keys]) ?? VolumeTypeRule.DefaultType;
        var rule = VolumeTypeRule.All[type];
        var size = ebs.Int("VolumeSize", 1, 65536);
        var iops = ebs.Int("Iops", 0);
        var throughput = ebs.Int("Throughput", 0);
        var encrypted = ebs.Bool("Encrypted");
        var kmsKeyId = ebs.Get("KmsKeyId");
        var snapshotId = ebs.Get("SnapshotId");

        if (snapshotId is not null)
        {
            var snapshot = await owned.SnapshotAsync(call.AccountId, snapshotId, call.Aborted);
            if (snapshot.Status != SnapshotStatus.Completed)
            {
                throw new Ec2Exception("IncorrectState", $"Snapshot {snapshotId} is {snapshot.Status}; only completed snapshots can back an image.");
            }

            if (size is { } requested && requested < snapshot.VolumeSizeGib)
            {
                throw Invalid($"Volume of size {requested} GiB is smaller than snapshot '{snapshotId}', expect size >= {snapshot.VolumeSizeGib}.");
            }

            if (snapshot.Encrypted && encrypted == false)
            {
                throw Invalid($"Snapshot {snapshotId} is encrypted, so the volume of {device} cannot be unencrypted.");
            }

            size ??= (int)snapshot.VolumeSizeGib;
            encrypted ??= snapshot.Encrypted;
            kmsKeyId ??= snapshot.Encrypted ? snapshot.KmsKeyId : null;
        }
        else if (size is null)
        {
            throw Invalid($"The EBS mapping of {device} needs a SnapshotId or a VolumeSize.");
        }

        if (kmsKeyId is not null && encrypted != true)
        {
            throw new Ec2Exception("InvalidParameterCombination", $"KmsKeyId of {device} requires Encrypted=true.");
        }

        return new EbsMapping(
            snapshotId,
            CheckSize(rule, size.Value, device),
            type,
            Within(rule.TakesIops, rule.IopsRequired, iops, rule.MinIops, rule.MaxIops, rule.DefaultIops, "Iops", type, device),
            Within(rule.TakesThroughput, false, throughput, rule.MinThroughput, rule.MaxThroughput, rule.DefaultThroughput, "Throughput", type, device),
            ebs.Bool("DeleteOnTermination") ?? true,
            encrypted,
            kmsKeyId);
    }

    private static int CheckSize(VolumeTypeRule rule, int size, string device) =>
        size >= rule.MinSize && size <= rule.MaxSize
            ? size
            : throw Invalid($"A {rule.Type} volume must be {rule.MinSize} to {rule.MaxSize} GiB; {device} asks for {size}.");

    private static int? Within(bool takes, bool required, int? value, int? min, int? max, int? fallback, string member, string type, string device)
    {
        if (!takes)
        {
            return value is null ? null : throw new Ec2Exception("InvalidParameterCombination", $"{member} is not supported for {type} volumes ({device}).");
        }

        if (value is null)
        {
            return required ? throw new Ec2Exception("MissingParameter", $"{member} is required for {type} volumes ({device}).") : fallback;
        }

        return value >= min && value <= max
            ? value
            : throw Ec2Exception.InvalidValue(member, value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), $"For {type} it must be {min} to {max}.");
    }

    [GeneratedRegex("^(/dev/)?[a-z][a-z0-9]*$")]
    private static partial Regex DeviceNamePattern();

    [GeneratedRegex("^ephemeral([0-9]|1[0-9]|2[0-3])$")]
    private static partial Regex VirtualNamePattern();
}
