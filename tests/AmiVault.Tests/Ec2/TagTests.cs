using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using static AmiVault.Tests.Ec2.Ec2TestData;

namespace AmiVault.Tests.Ec2;

public sealed class TagTests
{
    [Fact]
    public async Task Tags_are_created_overwritten_described_and_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        var image = await RegisterAsync(ec2, "tagged", snapshot);

        await ec2.CreateTagsAsync(new CreateTagsRequest([image, snapshot], [new Tag("env", "dev"), new Tag("owner", "ops"), new Tag("empty", "")]));
        await ec2.CreateTagsAsync(new CreateTagsRequest([image], [new Tag("env", "prod")]));
        Assert.Equal(["empty=", "env=prod", "owner=ops"], await TagsOf(ec2, image));
        Assert.Equal(["empty=", "env=dev", "owner=ops"], await TagsOf(ec2, snapshot));

        // A key alone deletes whatever the value; a key with a value only when it matches (even an empty one).
        await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [image, snapshot], Tags = [new Tag { Key = "owner" }, new Tag("env", "dev"), new Tag("empty", "")] });
        Assert.Equal(["env=prod"], await TagsOf(ec2, image));
        Assert.Empty(await TagsOf(ec2, snapshot));

        // No tags at all deletes every tag of the resource.
        await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [image] });
        Assert.Empty(await TagsOf(ec2, image));
    }

    [Fact]
    public async Task DescribeTags_filters_by_resource_key_value_and_type()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server, tags: [new("env", "dev")]);
        var image = await RegisterAsync(ec2, "img", snapshot, r =>
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("env", "prod"), new Tag("app", "web")] }]);

        async Task<string[]> Described(params Filter[] filters) =>
            [.. ((await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [.. filters] })).Tags ?? []).Select(t => $"{t.ResourceId}:{t.ResourceType.Value}:{t.Key}={t.Value}").Order()];

        Assert.Equal(new[] { $"{image}:image:app=web", $"{image}:image:env=prod", $"{snapshot}:snapshot:env=dev" }.Order(), await Described());
        Assert.Equal([$"{snapshot}:snapshot:env=dev"], await Described(Filter("resource-type", "snapshot")));
        Assert.Equal([$"{snapshot}:snapshot:env=dev"], await Described(Filter("resource-id", snapshot)));
        Assert.Equal(new[] { $"{image}:image:env=prod", $"{snapshot}:snapshot:env=dev" }.Order(), await Described(Filter("key", "env")));
        Assert.Equal([$"{image}:image:env=prod"], await Described(Filter("key", "env"), Filter("value", "pr*")));
        Assert.Equal(new[] { $"{image}:image:app=web", $"{image}:image:env=prod" }.Order(), await Described(Filter("tag:app", "web")));
        await FailsAsync("InvalidParameterValue", () => Described(Filter("resource", image)));
    }

    [Fact]
    public async Task DescribeTags_pages_through_every_tag_once()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        await SnapshotAsync(server, tags: [.. Enumerable.Range(0, 7).Select(i => KeyValuePair.Create($"a{i}", "x"))]);
        await SnapshotAsync(server, tags: [.. Enumerable.Range(0, 6).Select(i => KeyValuePair.Create($"b{i}", "y"))]);

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await ec2.DescribeTagsAsync(new DescribeTagsRequest { MaxResults = 5, NextToken = token });
            Assert.InRange(page.Tags.Count, 1, 5);
            seen.AddRange(page.Tags.Select(t => t.ResourceId + t.Key));
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(13, seen.Distinct().Count());
        Assert.Equal(13, seen.Count);
        await FailsAsync("InvalidPaginationToken", () => ec2.DescribeTagsAsync(new DescribeTagsRequest { MaxResults = 5, NextToken = "x" + token }));
    }

    [Fact]
    public async Task Tagging_checks_every_resource_before_tagging_any()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);

        await FailsAsync("InvalidSnapshot.NotFound", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot, "snap-0123456789abcdef0"], [new Tag("a", "b")])));
        await FailsAsync("InvalidAMIID.NotFound", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot, "ami-0123456789abcdef0"], [new Tag("a", "b")])));
        await FailsAsync("InvalidID", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot, "i-0123456789abcdef0"], [new Tag("a", "b")])));
        await FailsAsync("InvalidAMIID.Malformed", () => ec2.CreateTagsAsync(new CreateTagsRequest(["ami-12"], [new Tag("a", "b")])));
        Assert.Empty(await TagsOf(ec2, snapshot));
    }

    [Fact]
    public async Task Tags_are_limited_to_50_per_resource_and_aws_prefixed_keys_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var ec2 = server.Ec2();
        var snapshot = await SnapshotAsync(server);
        await ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [.. Enumerable.Range(0, 50).Select(i => new Tag($"k{i}", "v"))]));
        await ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag("k0", "overwrite is fine")]));

        await FailsAsync("TagLimitExceeded", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag("k50", "v")])));
        await FailsAsync("InvalidParameterValue", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag("aws:reserved", "v")])));
        await FailsAsync("InvalidParameterValue", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag(new string('k', 129), "v")])));
        await FailsAsync("InvalidParameterValue", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [new Tag("dup", "1"), new Tag("dup", "2")])));
        await FailsAsync("MissingParameter", () => ec2.CreateTagsAsync(new CreateTagsRequest([snapshot], [])));
        Assert.Equal(50, (await TagsOf(ec2, snapshot)).Length);
    }

    private static async Task<string[]> TagsOf(AmazonEC2Client ec2, string resourceId) =>
        [.. ((await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [Filter("resource-id", resourceId)] })).Tags ?? []).Select(t => $"{t.Key}={t.Value}").Order()];
}
