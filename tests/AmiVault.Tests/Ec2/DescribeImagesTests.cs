using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

public sealed class DescribeImagesTests
{
    [Fact]
    public async Task Each_filter_selects_the_images_it_names()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var webSnapshot = await SnapshotAsync(server, sizeGib: 8);
        var dbSnapshot = await SnapshotAsync(server, sizeGib: 30, encrypted: true);
        var web = await RegisterAsync(ec2, "web-2024.01", webSnapshot, r =>
        {
            r.Architecture = ArchitectureValues.X86_64;
            r.VirtualizationType = "hvm";
            r.Description = "front end";
            r.EnaSupport = true;
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("role", "web"), new Tag("env", "prod")] }];
        });
        var db = await RegisterAsync(ec2, "db-2024.02", dbSnapshot, r =>
        {
            r.RootDeviceName = "/dev/sda1";
            r.BlockDeviceMappings[0].DeviceName = "/dev/sda1";
            r.BlockDeviceMappings[0].Ebs.VolumeType = VolumeType.Gp3;
            r.Description = "database";
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("role", "db")] }];
        });

        async Task<string[]> Ids(params Filter[] filters) => [.. (await ImagesAsync(ec2, filters)).Select(i => i.ImageId).Order()];
        string[] both = [.. new[] { web, db }.Order()];

        Assert.Equal([web], await Ids(Filter("image-id", web)));
        Assert.Equal([web], await Ids(Filter("name", "web-2024.01")));
        Assert.Equal([db], await Ids(Filter("state", "available"), Filter("architecture", "i386")));
        Assert.Equal([web], await Ids(Filter("architecture", "x86_64")));
        Assert.Equal([web], await Ids(Filter("virtualization-type", "hvm")));
        Assert.Equal([db], await Ids(Filter("virtualization-type", "paravirtual")));
        Assert.Equal(both, await Ids(Filter("root-device-type", "ebs")));
        Assert.Empty(await Ids(Filter("root-device-type", "instance-store")));
        Assert.Equal(both, await Ids(Filter("owner-id", TestServer.Alice.Id)));
        Assert.Empty(await Ids(Filter("owner-id", TestServer.Bob.Id)));
        Assert.Equal([db], await Ids(Filter("description", "database")));
        Assert.Equal([web], await Ids(Filter("tag:role", "web")));
        Assert.Equal(both, await Ids(Filter("tag:role", "web", "db")));
        Assert.Equal([web], await Ids(Filter("tag-key", "env")));
        Assert.Equal([db], await Ids(Filter("block-device-mapping.snapshot-id", dbSnapshot)));
        Assert.Equal([db], await Ids(Filter("block-device-mapping.volume-type", "gp3")));
        Assert.Equal([db], await Ids(Filter("block-device-mapping.volume-size", "30")));
        Assert.Equal([db], await Ids(Filter("block-device-mapping.encrypted", "true")));
        Assert.Equal([db], await Ids(Filter("block-device-mapping.device-name", "/dev/sda1")));
        Assert.Equal([db], await Ids(Filter("root-device-name", "/dev/sda1")));
        Assert.Equal([web], await Ids(Filter("ena-support", "true")));
        Assert.Equal(both, await Ids(Filter("is-public", "false"), Filter("image-type", "machine"), Filter("hypervisor", "xen")));
        Assert.Equal(both, await Ids(Filter("platform-details", "Linux/UNIX"), Filter("usage-operation", "RunInstances")));
        Assert.Equal([web], await Ids(Filter("manifest-location", $"{TestServer.Alice.Id}/web-*")));
        Assert.Empty(await Ids(Filter("tag:role", "web"), Filter("description", "database")));
    }

    [Fact]
    public async Task Wildcards_star_and_question_mark_match_names_and_escapes_are_literal()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var a = await RegisterAsync(ec2, "app-2024-01", await SnapshotAsync(server));
        var b = await RegisterAsync(ec2, "app-2024-11", await SnapshotAsync(server));
        var c = await RegisterAsync(ec2, "base-2024-01", await SnapshotAsync(server));

        async Task<string[]> Named(params string[] patterns) => [.. (await ImagesAsync(ec2, Filter("name", patterns))).Select(i => i.ImageId).Order()];
        Assert.Equal(new[] { a, b }.Order(), await Named("app-*"));
        Assert.Equal(new[] { a, b }.Order(), await Named("app-2024-?1", "nothing*"));
        Assert.Equal(new[] { a, c }.Order(), await Named("*-01"));
        Assert.Equal(new[] { a, b, c }.Order(), await Named("*"));
        Assert.Empty(await Named("app-2024-?"));
        Assert.Empty(await Named("app\\*"));
        Assert.Empty(await Named("APP-*"));
    }

    [Fact]
    public async Task Owners_self_and_the_callers_id_list_own_images_and_other_owners_list_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var image = await RegisterAsync(ec2, "mine", await SnapshotAsync(server));

        async Task<List<Image>> Owned(params string[] owners) =>
            (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = [.. owners] })).Images ?? [];
        Assert.Equal(image, Assert.Single(await Owned("self")).ImageId);
        Assert.Equal(image, Assert.Single(await Owned(TestServer.Alice.Id)).ImageId);
        Assert.Equal(image, Assert.Single(await Owned("amazon", "self")).ImageId);
        Assert.Empty(await Owned("amazon"));
        Assert.Empty(await Owned(TestServer.Bob.Id));
        Assert.Empty((await ec2.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["all"] })).Images ?? []);
        await FailsAsync("InvalidUserID.Malformed", () => Owned("not-an-account"));
    }

    [Fact]
    public async Task Unknown_and_malformed_image_ids_are_refused_with_their_codes()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var image = await RegisterAsync(ec2, "known", await SnapshotAsync(server));

        var e = await FailsAsync("InvalidAMIID.NotFound", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image, "ami-0123456789abcdef0"] }));
        Assert.Contains("ami-0123456789abcdef0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(image, e.Message, StringComparison.Ordinal);
        await FailsAsync("InvalidAMIID.Malformed", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ["ami-zzz"] }));
        await FailsAsync("InvalidAMIID.Malformed", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ["snap-0123456789abcdef0"] }));
        await FailsAsync("InvalidParameterCombination", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image], MaxResults = 5 }));
    }

    [Fact]
    public async Task Unknown_filter_names_and_filters_without_values_are_InvalidParameterValue()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var e = await FailsAsync("InvalidParameterValue", () => ImagesAsync(ec2, Filter("colour", "blue")));
        Assert.Contains("colour", e.Message, StringComparison.Ordinal);
        await FailsAsync("InvalidParameterValue", () => ImagesAsync(ec2, Filter("tag:", "x")));
    }

    [Fact]
    public async Task Pages_cover_every_image_once_and_a_forged_token_is_InvalidPaginationToken()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var registered = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            registered.Add(await RegisterAsync(ec2, $"paged-{i:D2}", await SnapshotAsync(server)));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await ec2.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 5, NextToken = token, Owners = ["self"] });
            Assert.True(page.Images.Count <= 5);
            seen.AddRange(page.Images.Select(i => i.ImageId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(registered.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());

        var first = await ec2.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 5 });
        var forged = first.NextToken[..^4] + (first.NextToken[^4..] == "AAAA" ? "BBBB" : "AAAA");
        await FailsAsync("InvalidPaginationToken", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 5, NextToken = forged }));
        await FailsAsync("InvalidPaginationToken", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 5, NextToken = "bm90IGEgdG9rZW4" }));
        await FailsAsync("InvalidPaginationToken", () => ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            MaxResults = 5,
            NextToken = first.NextToken,
            Filters = [Filter("name", "paged-*")],
        }));
        await FailsAsync("InvalidParameterValue", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { MaxResults = 4 }));
    }
}
