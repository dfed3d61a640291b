using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

public sealed class RegisterImageTests
{
    [Fact]
    public async Task Every_registered_attribute_comes_back_from_DescribeImages()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var root = await SnapshotAsync(server, sizeGib: 8);
        var data = await SnapshotAsync(server, sizeGib: 20, encrypted: true);
        var before = DateTime.UtcNow.AddSeconds(-1);

        var imageId = (await ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = "web (v1.2) [prod] @team_a/x'y",
            Description = "web server image",
            Architecture = ArchitectureValues.Arm64,
            VirtualizationType = "hvm",
            BootMode = BootModeValues.Uefi,
            TpmSupport = TpmSupportValues.V20,
            ImdsSupport = ImdsSupportValues.V20,
            UefiData = "QU1JVmF1bHQgVUVGSSB2YXJpYWJsZXM=",
            EnaSupport = true,
            SriovNetSupport = "simple",
            KernelId = "aki-0123456789abcdef0",
            RamdiskId = "ari-0123456789abcdef0",
            RootDeviceName = "/dev/xvda",
            BlockDeviceMappings =
            [
                new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { SnapshotId = root, VolumeSize = 10, VolumeType = VolumeType.Gp3, Iops = 4000, Throughput = 250, DeleteOnTermination = false } },
                new BlockDeviceMapping { DeviceName = "/dev/xvdb", Ebs = new EbsBlockDevice { SnapshotId = data, VolumeType = VolumeType.Io2, Iops = 1000 } },
                new BlockDeviceMapping { DeviceName = "/dev/xvdc", Ebs = new EbsBlockDevice { VolumeSize = 500, VolumeType = VolumeType.St1, Encrypted = true } },
                new BlockDeviceMapping { DeviceName = "/dev/sdd", VirtualName = "ephemeral0" },
                new BlockDeviceMapping { DeviceName = "/dev/sde", NoDevice = "" },
            ],
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("team", "a"), new Tag("tier", "web")] }],
        })).ImageId;

        Assert.Matches("^ami-[0-9a-f]{17}$", imageId);
        var image = await ImageAsync(ec2, imageId);
        Assert.Equal("web (v1.2) [prod] @team_a/x'y", image.Name);
        Assert.Equal("web server image", image.Description);
        Assert.Equal("arm64", image.Architecture.Value);
        Assert.Equal("hvm", image.VirtualizationType.Value);
        Assert.Equal("uefi", image.BootMode.Value);
        Assert.Equal("v2.0", image.TpmSupport.Value);
        Assert.Equal("v2.0", image.ImdsSupport.Value);
        Assert.True(image.EnaSupport);
        Assert.Equal("simple", image.SriovNetSupport);
        Assert.Equal("aki-0123456789abcdef0", image.KernelId);
        Assert.Equal("ari-0123456789abcdef0", image.RamdiskId);
        Assert.Equal("/dev/xvda", image.RootDeviceName);
        Assert.Equal("ebs", image.RootDeviceType.Value);
        Assert.Equal("available", image.State.Value);
        Assert.Equal(TestServer.Alice.Id, image.OwnerId);
        Assert.Equal($"{TestServer.Alice.Id}/{image.Name}", image.ImageLocation);
        Assert.False(image.Public);
        Assert.Equal("machine", image.ImageType.Value);
        Assert.Equal("xen", image.Hypervisor.Value);
        Assert.Equal("Linux/UNIX", image.PlatformDetails);
        Assert.Equal("RunInstances", image.UsageOperation);
        var created = DateTime.Parse(image.CreationDate, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(created, before, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(["team=a", "tier=web"], image.Tags.Select(t => $"{t.Key}={t.Value}").Order());

        var mappings = image.BlockDeviceMappings.ToDictionary(m => m.DeviceName);
        var rootEbs = mappings["/dev/xvda"].Ebs;
        Assert.Equal((root, 10, "gp3", 4000, 250, false, false), (rootEbs.SnapshotId, rootEbs.VolumeSize, rootEbs.VolumeType.Value, rootEbs.Iops, rootEbs.Throughput, rootEbs.DeleteOnTermination, rootEbs.Encrypted));
        var dataEbs = mappings["/dev/xvdb"].Ebs;
        Assert.Equal((data, 20, "io2", 1000, true, true), (dataEbs.SnapshotId, dataEbs.VolumeSize, dataEbs.VolumeType.Value, dataEbs.Iops, dataEbs.DeleteOnTermination, dataEbs.Encrypted));
        Assert.StartsWith("arn:aws:kms:", dataEbs.KmsKeyId, StringComparison.Ordinal);
        var emptyEbs = mappings["/dev/xvdc"].Ebs;
        Assert.Equal((null, 500, "st1", true), (emptyEbs.SnapshotId, emptyEbs.VolumeSize, emptyEbs.VolumeType.Value, emptyEbs.Encrypted));
        Assert.Equal("ephemeral0", mappings["/dev/sdd"].VirtualName);
        Assert.Null(mappings["/dev/sdd"].Ebs);
        Assert.Equal("", mappings["/dev/sde"].NoDevice);

        async Task<ImageAttribute> Attribute(ImageAttributeName name) =>
            (await ec2.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = imageId, Attribute = name })).ImageAttribute;
        Assert.Equal("QU1JVmF1bHQgVUVGSSB2YXJpYWJsZXM=", (await Attribute(ImageAttributeName.UefiData)).UefiData);
        Assert.Equal("web server image", (await Attribute(ImageAttributeName.Description)).Description);
        Assert.Equal("aki-0123456789abcdef0", (await Attribute(ImageAttributeName.Kernel)).KernelId);
        Assert.Equal("uefi", (await Attribute(ImageAttributeName.BootMode)).BootMode);
        Assert.Equal(5, (await Attribute(ImageAttributeName.BlockDeviceMapping)).BlockDeviceMappings.Count);
        Assert.Empty((await Attribute(ImageAttributeName.LaunchPermission)).LaunchPermissions ?? []);
    }

    [Fact]
    public async Task Unset_attributes_get_the_defaults_EC2_documents()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server, sizeGib: 12);
        var image = await ImageAsync(ec2, await RegisterAsync(ec2, "defaults", snapshot));

        Assert.Equal("i386", image.Architecture.Value);
        Assert.Equal("paravirtual", image.VirtualizationType.Value);
        Assert.Null(image.BootMode);
        Assert.Null(image.EnaSupport);
        Assert.Null(image.Description);
        var ebs = Assert.Single(image.BlockDeviceMappings).Ebs;
        Assert.Equal((12, "gp2", true, false), (ebs.VolumeSize, ebs.VolumeType.Value, ebs.DeleteOnTermination, ebs.Encrypted));
        Assert.Null(ebs.Iops);
    }

    [Fact]
    public async Task A_gp3_volume_without_iops_or_throughput_gets_the_gp3_baseline()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        var image = await ImageAsync(ec2, await RegisterAsync(ec2, "gp3", snapshot, r => r.BlockDeviceMappings[0].Ebs.VolumeType = VolumeType.Gp3));
        var ebs = Assert.Single(image.BlockDeviceMappings).Ebs;
        Assert.Equal((3000, 125), (ebs.Iops, ebs.Throughput));
    }

    [Fact]
    public async Task Snapshot_tag_specifications_tag_every_mapped_snapshot()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var root = await SnapshotAsync(server, tags: [new("existing", "kept")]);
        var data = await SnapshotAsync(server);
        await RegisterAsync(ec2, "tagged", root, r =>
        {
            r.BlockDeviceMappings.Add(new BlockDeviceMapping { DeviceName = "/dev/xvdb", Ebs = new EbsBlockDevice { SnapshotId = data } });
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag("from", "image")] }];
        });

        var snapshots = (await SnapshotsAsync(ec2)).ToDictionary(s => s.SnapshotId);
        Assert.Equal(["existing=kept", "from=image"], snapshots[root].Tags.Select(t => $"{t.Key}={t.Value}").Order());
        Assert.Equal(["from=image"], snapshots[data].Tags.Select(t => $"{t.Key}={t.Value}"));
    }

    [Fact]
    public async Task A_second_image_with_the_same_name_is_InvalidAMIName_Duplicate_but_another_account_may_use_it()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = server.Ec2();
        using var bob = server.Ec2(TestServer.Bob);
        var first = await RegisterAsync(alice, "shared-name", await SnapshotAsync(server));
        var another = await SnapshotAsync(server);

        var e = await FailsAsync("InvalidAMIName.Duplicate", () => RegisterAsync(alice, "shared-name", another));
        Assert.Contains(first, e.Message, StringComparison.Ordinal);
        Assert.Single(await ImagesAsync(alice));
        await RegisterAsync(bob, "shared-name", await SnapshotAsync(server, TestServer.Bob));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("name with a * star")]
    [InlineData("émigré")]
    public async Task Malformed_names_are_InvalidAMIName_Malformed(string name)
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        await FailsAsync("InvalidAMIName.Malformed", () => RegisterAsync(ec2, name, snapshot));
        Assert.Empty(await ImagesAsync(ec2));
    }

    [Fact]
    public async Task Snapshots_that_are_pending_unknown_or_another_accounts_cannot_back_an_image()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        await FailsAsync("IncorrectState", async () => await RegisterAsync(ec2, "pending", await SnapshotAsync(server, status: "pending", progress: 40)));
        await FailsAsync("InvalidSnapshot.NotFound", () => RegisterAsync(ec2, "unknown", "snap-0123456789abcdef0"));
        await FailsAsync("InvalidSnapshot.NotFound", async () => await RegisterAsync(ec2, "bobs", await SnapshotAsync(server, TestServer.Bob)));
        await FailsAsync("InvalidSnapshotID.Malformed", () => RegisterAsync(ec2, "malformed", "snap-xyz"));
        Assert.Empty(await ImagesAsync(ec2));
    }

    [Fact]
    public async Task Instance_store_registration_is_refused_clearly()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var e = await FailsAsync("UnsupportedOperation", () => ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = "bundle",
            ImageLocation = "my-bucket/image.manifest.xml",
        }));
        Assert.Contains("EBS-backed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_device_mappings_are_checked_as_EC2_checks_them()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server, sizeGib: 8);
        var encrypted = await SnapshotAsync(server, encrypted: true);

        await FailsAsync("InvalidBlockDeviceMapping", () => RegisterAsync(ec2, "small", snapshot, r => r.BlockDeviceMappings[0].Ebs.VolumeSize = 4));
        await FailsAsync("MissingParameter", () => RegisterAsync(ec2, "io1", snapshot, r => r.BlockDeviceMappings[0].Ebs.VolumeType = VolumeType.Io1));
        await FailsAsync("InvalidParameterCombination", () => RegisterAsync(ec2, "gp2iops", snapshot, r => r.BlockDeviceMappings[0].Ebs.Iops = 3000));
        await FailsAsync("InvalidParameterValue", () => RegisterAsync(ec2, "gp3iops", snapshot, r =>
        {
            r.BlockDeviceMappings[0].Ebs.VolumeType = VolumeType.Gp3;
            r.BlockDeviceMappings[0].Ebs.Iops = 100;
        }));
        await FailsAsync("InvalidBlockDeviceMapping", () => RegisterAsync(ec2, "unencrypt", encrypted, r => r.BlockDeviceMappings[0].Ebs.Encrypted = false));
        await FailsAsync("InvalidBlockDeviceMapping", () => RegisterAsync(ec2, "noroot", snapshot, r => r.RootDeviceName = "/dev/sda1"));
        await FailsAsync("InvalidBlockDeviceMapping", () => RegisterAsync(ec2, "twice", snapshot, r =>
            r.BlockDeviceMappings.Add(new BlockDeviceMapping { DeviceName = "/dev/xvda", VirtualName = "ephemeral1" })));
        await FailsAsync("InvalidBlockDeviceMapping", () => RegisterAsync(ec2, "badvirtual", snapshot, r =>
            r.BlockDeviceMappings.Add(new BlockDeviceMapping { DeviceName = "/dev/xvdb", VirtualName = "ephemeral99" })));
        await FailsAsync("InvalidParameterValue", () => RegisterAsync(ec2, "badarch", snapshot, r => r.Architecture = "sparc"));
        await FailsAsync("InvalidParameterCombination", () => RegisterAsync(ec2, "tpm", snapshot, r => r.TpmSupport = TpmSupportValues.V20));
        await FailsAsync("InvalidParameterValue", () => RegisterAsync(ec2, "kernel", snapshot, r => r.KernelId = "ami-0123456789abcdef0"));
        await FailsAsync("MissingParameter", () => RegisterAsync(ec2, "noroot", snapshot, r => r.RootDeviceName = null));
        Assert.Empty(await ImagesAsync(ec2));
    }

    [Fact]
    public async Task More_than_50_tags_for_one_resource_is_TagLimitExceeded()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server, tags: [.. Enumerable.Range(0, 49).Select(i => KeyValuePair.Create($"k{i}", "v"))]);
        await FailsAsync("TagLimitExceeded", () => RegisterAsync(ec2, "many", snapshot, r =>
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [new Tag("a", "1"), new Tag("b", "2")] }]));
        await FailsAsync("TagLimitExceeded", () => RegisterAsync(ec2, "many", snapshot, r =>
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [.. Enumerable.Range(0, 51).Select(i => new Tag($"k{i}", "v"))] }]));
        await FailsAsync("InvalidParameterValue", () => RegisterAsync(ec2, "volume", snapshot, r =>
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Volume, Tags = [new Tag("a", "1")] }]));
        Assert.Empty(await ImagesAsync(ec2));
        Assert.Equal(49, Assert.Single(await SnapshotsAsync(ec2)).Tags.Count);
    }
}
