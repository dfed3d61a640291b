using System.Text.Json;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;

namespace AmiVault.Tests.Ssm;

/// <summary>The SSM Parameter Store subset, through `aws ssm` (the AWS CLI) and boto3, as AMI aliases use it.</summary>
public sealed class ParameterStoreTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("us-east-2");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Put_get_overwrite_history_labels_and_delete_through_the_aws_cli()
    {
        var put = (await Ssm("put-parameter", "--name", "/golden/web", "--type", "String", "--value", "v1", "--description", "web tier",
            "--tags", "Key=team,Value=platform")).EnsureSuccess();
        Assert.Equal(1, put.Json.GetProperty("Version").GetInt32());
        Assert.Equal("Standard", put.Json.GetProperty("Tier").GetString());

        var again = await Ssm("put-parameter", "--name", "/golden/web", "--type", "String", "--value", "v1b");
        Assert.Equal("ParameterAlreadyExists", again.ErrorCode);

        Assert.Equal(2, (await Ssm("put-parameter", "--name", "/golden/web", "--value", "v2", "--overwrite")).EnsureSuccess().Json.GetProperty("Version").GetInt32());
        var latest = (await Ssm("get-parameter", "--name", "/golden/web")).EnsureSuccess().Json.GetProperty("Parameter");
        Assert.Equal("v2", latest.GetProperty("Value").GetString());
        Assert.Equal(2, latest.GetProperty("Version").GetInt32());
        Assert.Equal("String", latest.GetProperty("Type").GetString());
        Assert.Equal("text", latest.GetProperty("DataType").GetString());
        Assert.Equal("arn:aws:ssm:us-east-2:111111111111:parameter/golden/web", latest.GetProperty("ARN").GetString());
        Assert.Equal("v1", (await Ssm("get-parameter", "--name", "/golden/web:1")).EnsureSuccess().Json.GetProperty("Parameter").GetProperty("Value").GetString());
        Assert.Equal("ParameterVersionNotFound", (await Ssm("get-parameter", "--name", "/golden/web:7")).ErrorCode);

        var label = (await Ssm("label-parameter-version", "--name", "/golden/web", "--parameter-version", "1", "--labels", "stable", "awsbad")).EnsureSuccess().Json;
        Assert.Equal(1, label.GetProperty("ParameterVersion").GetInt32());
        Assert.Equal(["awsbad"], label.GetProperty("InvalidLabels").EnumerateArray().Select(l => l.GetString()));
        var byLabel = (await Ssm("get-parameter", "--name", "/golden/web:stable")).EnsureSuccess().Json.GetProperty("Parameter");
        Assert.Equal("v1", byLabel.GetProperty("Value").GetString());
        Assert.Equal(":stable", byLabel.GetProperty("Selector").GetString());

        // Moving the label to the latest version takes it off version 1.
        (await Ssm("label-parameter-version", "--name", "/golden/web", "--labels", "stable")).EnsureSuccess();
        var history = (await Ssm("get-parameter-history", "--name", "/golden/web")).EnsureSuccess().Json.GetProperty("Parameters").EnumerateArray().ToList();
        Assert.Equal([1, 2], history.Select(h => h.GetProperty("Version").GetInt32()));
        Assert.Empty(history[0].GetProperty("Labels").EnumerateArray());
        Assert.Equal(["stable"], history[1].GetProperty("Labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("web tier", history[1].GetProperty("Description").GetString());

        var tags = (await Ssm("list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/golden/web")).EnsureSuccess().Json.GetProperty("TagList");
        Assert.Equal("platform", tags.EnumerateArray().Single(t => t.GetProperty("Key").GetString() == "team").GetProperty("Value").GetString());

        (await Ssm("delete-parameter", "--name", "/golden/web")).EnsureSuccess();
        Assert.Equal("ParameterNotFound", (await Ssm("get-parameter", "--name", "/golden/web")).ErrorCode);
        Assert.Equal("ParameterNotFound", (await Ssm("delete-parameter", "--name", "/golden/web")).ErrorCode);
    }

    [Fact]
    public async Task Names_types_and_sizes_are_checked_as_aws_checks_them()
    {
        Assert.Equal("ValidationException", (await Ssm("put-parameter", "--name", "/aws/reserved", "--type", "String", "--value", "x")).ErrorCode);
        Assert.Equal("ValidationException", (await Ssm("put-parameter", "--name", "no/leading/slash", "--type", "String", "--value", "x")).ErrorCode);
        Assert.Equal("HierarchyLevelLimitExceededException", (await Ssm("put-parameter", "--name", string.Concat(Enumerable.Range(0, 16).Select(i => $"/l{i}")), "--type", "String", "--value", "x")).ErrorCode);
        Assert.Equal("UnsupportedParameterType", (await Ssm("put-parameter", "--name", "secret", "--type", "SecureString", "--value", "x")).ErrorCode);
        Assert.Equal("ValidationException", (await Ssm("put-parameter", "--name", "big", "--type", "String", "--value", new string('x', 4097))).ErrorCode);
        (await Ssm("put-parameter", "--name", "big", "--type", "String", "--value", new string('x', 4097), "--tier", "Advanced")).EnsureSuccess();
        Assert.Equal("ParameterPatternMismatchException", (await Ssm("put-parameter", "--name", "port", "--type", "String", "--value", "http", "--allowed-pattern", "^[0-9]+$")).ErrorCode);
        Assert.Equal("ValidationException", (await Ssm("put-parameter", "--name", "new", "--value", "x")).ErrorCode);
    }

    [Fact]
    public async Task An_image_alias_must_name_an_image_of_the_account_that_exists()
    {
        var imageId = await ImageFixtures.ImageAsync(_server, "web-server");
        var bobsImage = await ImageFixtures.ImageAsync(_server, "bobs-server", owner: TestServer.Bob);

        (await Ssm("put-parameter", "--name", "/golden/web-server", "--type", "String", "--data-type", "aws:ec2:image", "--value", imageId)).EnsureSuccess();
        var got = (await Ssm("get-parameter", "--name", "/golden/web-server")).EnsureSuccess();
        Assert.True(got.Stdout.Length > 0, $"exit {got.ExitCode}: {got.Stderr}");
        var alias = got.Json.GetProperty("Parameter");
        Assert.Equal(imageId, alias.GetProperty("Value").GetString());
        Assert.Equal("aws:ec2:image", alias.GetProperty("DataType").GetString());

        foreach (var value in new[] { "ami-0123456789abcdef0", bobsImage, "not-an-image" })
        {
            var refused = await Ssm("put-parameter", "--name", "/golden/web-server", "--type", "String", "--data-type", "aws:ec2:image", "--value", value, "--overwrite");
            Assert.True(refused.ErrorCode == "ValidationException", $"{value}: exit {refused.ExitCode} {refused.Stderr}");
        }

        var history = (await Ssm("get-parameter-history", "--name", "/golden/web-server")).EnsureSuccess().Json.GetProperty("Parameters");
        Assert.Equal(1, history.GetArrayLength());
        Assert.Equal("ValidationException", (await Ssm("put-parameter", "--name", "/golden/list", "--type", "StringList", "--data-type", "aws:ec2:image", "--value", imageId)).ErrorCode);
    }

    [Fact]
    public async Task By_path_recursion_pagination_filters_and_batch_calls_through_boto3()
    {
        var output = await Boto3.RunAsync(_server, TestServer.Alice, """
            for i in range(23):
                ssm.put_parameter(Name=f"/app/prod/p{i:02d}", Value=str(i), Type="String")
            for i in range(4):
                ssm.put_parameter(Name=f"/app/prod/db/d{i}", Value="db", Type="StringList")
            ssm.put_parameter(Name="/app/dev/x", Value="dev", Type="String")
            ssm.put_parameter(Name="top", Value="t", Type="String")
            one_level, pages = [], 0
            for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/app/prod", PaginationConfig={"PageSize": 10}):
                pages += 1
                assert len(page["Parameters"]) <= 10
                one_level += [p["Name"] for p in page["Parameters"]]
            everything = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/", Recursive=True) for p in page["Parameters"]]
            lists = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/app", Recursive=True,
                ParameterFilters=[{"Key": "Type", "Option": "Equals", "Values": ["StringList"]}]) for p in page["Parameters"]]
            described = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate(
                ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": ["/app/prod/db"]}], PaginationConfig={"PageSize": 3}) for p in page["Parameters"]]
            begins = [p["Name"] for p in ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/app/dev"]}])["Parameters"]]
            many = ssm.get_parameters(Names=["/app/prod/p01", "/app/nothing", "top"])
            deleted = ssm.delete_parameters(Names=["/app/dev/x", "/app/nothing"])
            try:
                ssm.get_parameters_by_path(Path="/app", NextToken="%%%")
                token_error = "none"
            except ssm.exceptions.ClientError as e:
                token_error = e.response["Error"]["Code"]
            print(json.dumps({"one_level": one_level, "pages": pages, "everything": everything, "lists": lists, "described": described, "begins": begins,
                "found": sorted(p["Name"] for p in many["Parameters"]), "invalid": many["InvalidParameters"],
                "deleted": deleted["DeletedParameters"], "not_deleted": deleted["InvalidParameters"], "token_error": token_error}))
            """);
        var result = JsonDocument.Parse(output).RootElement;

        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"/app/prod/p{i:00}"), Names(result, "one_level"));
        Assert.Equal(3, result.GetProperty("pages").GetInt32());
        Assert.Equal(28, Names(result, "everything").Count);
        Assert.DoesNotContain("top", Names(result, "everything"));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"/app/prod/db/d{i}"), Names(result, "lists"));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"/app/prod/db/d{i}"), Names(result, "described"));
        Assert.Equal(["/app/dev/x"], Names(result, "begins"));
        Assert.Equal(["/app/prod/p01", "top"], Names(result, "found"));
        Assert.Equal(["/app/nothing"], Names(result, "invalid"));
        Assert.Equal(["/app/dev/x"], Names(result, "deleted"));
        Assert.Equal(["/app/nothing"], Names(result, "not_deleted"));
        Assert.Equal("InvalidNextToken", result.GetProperty("token_error").GetString());
    }

    [Fact]
    public async Task Another_account_sees_none_of_the_parameters()
    {
        (await Ssm("put-parameter", "--name", "/golden/private", "--type", "String", "--value", "alice")).EnsureSuccess();

        var bob = await Boto3.RunAsync(_server, TestServer.Bob, """
            try:
                ssm.get_parameter(Name="/golden/private")
                get = "found"
            except ssm.exceptions.ParameterNotFound:
                get = "ParameterNotFound"
            path = len(ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"])
            ssm.put_parameter(Name="/golden/private", Value="bob", Type="String")
            print(json.dumps({"get": get, "path": path,
                "described": [p["Name"] for p in ssm.describe_parameters()["Parameters"]], "value": ssm.get_parameter(Name="/golden/private")["Parameter"]["Value"]}))
            """);
        var seen = JsonDocument.Parse(bob).RootElement;

        Assert.Equal("ParameterNotFound", seen.GetProperty("get").GetString());
        Assert.Equal(0, seen.GetProperty("path").GetInt32());
        Assert.Equal(["/golden/private"], Names(seen, "described"));
        Assert.Equal("bob", seen.GetProperty("value").GetString());
        Assert.Equal("alice", (await Ssm("get-parameter", "--name", "/golden/private")).EnsureSuccess().Json.GetProperty("Parameter").GetProperty("Value").GetString());
    }

    private static List<string?> Names(JsonElement result, string property) => [.. result.GetProperty(property).EnumerateArray().Select(n => n.GetString())];

    private Task<AwsCliResult> Ssm(params string[] args) => AwsCli.RunAsync(_server, ["ssm", .. args]);
}
