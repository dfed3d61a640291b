using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Console;

/// <summary>
/// The EC2 and SSM actions the console uses, as the signed-in principal, with the parameters the AWS CLI would send,
/// from the browser's request (its address and transport are what policy conditions see).
/// </summary>
internal sealed class ConsoleApi(ConsoleEc2 ec2, ConsoleSsm ssm, ConsoleSession session, HttpContext browser)
{
    /// <summary>How many aws:ec2:image parameters an image page looks through for its aliases (20 pages of DescribeParameters).</summary>
    public const int MaxAliasesScanned = 1000;

    public async Task<List<ImageView>> ImagesAsync(IReadOnlyList<(string Name, string Value)> filters)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Owner.1", "self") };
        for (var i = 0; i < filters.Count; i++)
        {
            parameters.Add(new($"Filter.{i + 1}.Name", filters[i].Name));
            parameters.Add(new($"Filter.{i + 1}.Value.1", filters[i].Value));
        }

        var answer = await CallAsync("DescribeImages", parameters);
        return [.. ConsoleEc2.Items(answer, "imagesSet").Select(ImageView.From).OrderByDescending(i => i.Created)];
    }

    /// <summary>The image, or null when the account has no such image (an id of another account's included).</summary>
    public async Task<ImageView?> ImageAsync(string imageId)
    {
        try
        {
            var answer = await CallAsync("DescribeImages", [new("ImageId.1", imageId)]);
            return ConsoleEc2.Items(answer, "imagesSet").Select(ImageView.From).FirstOrDefault();
        }
        catch (ConsoleRefusal e) when (e.Code.StartsWith("InvalidAMIID.", StringComparison.Ordinal))
        {
            return null;
        }
    }

    public async Task<List<SnapshotView>> SnapshotsAsync(IReadOnlyCollection<string>? snapshotIds = null)
    {
        var parameters = snapshotIds is null
            ? [new("Owner.1", "self")]
            : snapshotIds.Select((id, i) => KeyValuePair.Create($"SnapshotId.{i + 1}", id)).ToList();
        if (parameters.Count == 0)
        {
            return [];
        }

        var answer = await CallAsync("DescribeSnapshots", parameters);
        return [.. ConsoleEc2.Items(answer, "snapshotSet").Select(SnapshotView.From).OrderByDescending(s => s.Started)];
    }

    /// <summary>Store tasks of the last 31 days, newest first (what DescribeStoreImageTasks lists).</summary>
    public async Task<List<StoreTaskView>> StoreTasksAsync()
    {
        var answer = await CallAsync("DescribeStoreImageTasks", []);
        return [.. ConsoleEc2.Items(answer, "storeImageTaskResultSet").Select(StoreTaskView.From)];
    }

    /// <summary>CreateStoreImageTask; with <paramref name="dryRun"/> only the checks run (a refusal or DryRunOperation is thrown).</summary>
    public async Task<string> StoreAsync(string imageId, string bucket, IReadOnlyList<KeyValuePair<string, string>> objectTags, bool dryRun)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("ImageId", imageId), new("Bucket", bucket) };
        for (var i = 0; i < objectTags.Count; i++)
        {
            parameters.Add(new($"S3ObjectTag.{i + 1}.Key", objectTags[i].Key));
            parameters.Add(new($"S3ObjectTag.{i + 1}.Value", objectTags[i].Value));
        }

        AddDryRun(parameters, dryRun);
        return ConsoleEc2.Text(await CallAsync("CreateStoreImageTask", parameters), "objectKey") ?? "";
    }

    /// <summary>CreateRestoreImageTask; answers the new image's id.</summary>
    public async Task<string> RestoreAsync(string bucket, string objectKey, string? name, bool dryRun)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Bucket", bucket), new("ObjectKey", objectKey) };
        if (!string.IsNullOrEmpty(name))
        {
            parameters.Add(new("Name", name));
        }

        AddDryRun(parameters, dryRun);
        return ConsoleEc2.Text(await CallAsync("CreateRestoreImageTask", parameters), "imageId") ?? "";
    }

    /// <summary>
    /// The AMI aliases of an image: the account's parameters of data type aws:ec2:image whose current value is the
    /// image's id (DescribeParameters filtered by data type, then GetParameters for their values, ten at a time),
    /// sorted by name. Null when more than <see cref="MaxAliasesScanned"/> such parameters would have to be read.
    /// </summary>
    public async Task<List<string>?> AliasesAsync(string imageId)
    {
        var names = new List<string>();
        string? next = null;
        do
        {
            var page = await SsmAsync("DescribeParameters", new Dictionary<string, object?>
            {
                ["ParameterFilters"] = new[] { new { Key = "DataType", Values = new[] { "aws:ec2:image" } } },
                ["MaxResults"] = 50,
                ["NextToken"] = next,
            });
            names.AddRange(page.GetProperty("Parameters").EnumerateArray().Select(p => p.GetProperty("Name").GetString()!));
            next = page.TryGetProperty("NextToken", out var token) ? token.GetString() : null;
            if (names.Count > MaxAliasesScanned)
            {
                return null;
            }
        }
        while (next is not null);

        var aliases = new List<string>();
        foreach (var batch in names.Chunk(10))
        {
            var values = await SsmAsync("GetParameters", new Dictionary<string, object?> { ["Names"] = batch });
            aliases.AddRange(values.GetProperty("Parameters").EnumerateArray()
                .Where(p => p.GetProperty("Value").GetString() == imageId)
                .Select(p => p.GetProperty("Name").GetString()!));
        }

        aliases.Sort(StringComparer.Ordinal);
        return aliases;
    }

    private async Task<JsonElement> SsmAsync(string operation, Dictionary<string, object?> request)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var absent in request.Where(m => m.Value is null).Select(m => m.Key).ToList())
            {
                request.Remove(absent);
            }

            return await ssm.CallAsync(session, browser, operation, request);
        }
        finally
        {
            Elapsed += Stopwatch.GetElapsedTime(started);
        }
    }

    private static void AddDryRun(List<KeyValuePair<string, string>> parameters, bool dryRun)
    {
        if (dryRun)
        {
            parameters.Add(new("DryRun", "true"));
        }
    }

    /// <summary>Time spent in the EC2 and SSM actions (answer parsed included), reported in the page's Server-Timing header.</summary>
    public TimeSpan Elapsed { get; private set; }

    private async Task<XElement> CallAsync(string action, List<KeyValuePair<string, string>> parameters)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await ec2.CallAsync(session, browser, action, parameters);
        }
        finally
        {
            Elapsed += Stopwatch.GetElapsedTime(started);
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
