using System.Text.Json.Nodes;
using AmiVault.Archive;
using AmiVault.ObjectStore;
using AmiVault.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AmiVault.Console.Pages;

/// <summary>
/// Restore an image (CreateRestoreImageTask): browse the account's buckets and their `.bin` objects, see what an
/// archive holds as `amivault inspect` shows it, choose a name (checked with DryRun as it is typed), and go to the new
/// image's page to watch its snapshots fill up.
/// </summary>
internal static class RestorePage
{
    private const int MaxListed = 1000;

    public static async Task RenderAsync(ConsoleRequest r, IFormCollection? form)
    {
        var values = form is null ? (Func<string, StringValues>)(n => r.Http.Request.Query[n]) : n => form[n];
        var bucket = values("bucket").ToString().Trim();
        var key = values("key").ToString().Trim();
        var name = values("name").ToString().Trim();
        if (form is not null)
        {
            try
            {
                var imageId = await r.Api.RestoreAsync(bucket, key, name, dryRun: false);
                r.Http.Response.StatusCode = StatusCodes.Status303SeeOther;
                r.Http.Response.Headers.Location = "/console/images/" + imageId;
                return;
            }
            catch (ConsoleRefusal refusal)
            {
                await ObjectAsync(r, bucket, key, name, ConsoleLayout.Refusal(refusal));
                return;
            }
        }

        if (bucket.Length == 0)
        {
            await BucketsAsync(r);
        }
        else if (key.Length == 0)
        {
            await ObjectsAsync(r, bucket);
        }
        else
        {
            await ObjectAsync(r, bucket, key, name, await CheckOutcomeAsync(r, bucket, key, name));
        }
    }

    public static async Task CheckAsync(ConsoleRequest r) =>
        await r.FragmentAsync(await CheckOutcomeAsync(r, r.Query("bucket"), r.Query("key"), r.Query("name")));

    private static async Task BucketsAsync(ConsoleRequest r)
    {
        var buckets = await r.Buckets.ListBucketsAsync(r.Aborted);
        var body = new Html().Add($"<p>Choose the bucket that holds the stored image.</p><ul class=\"choices\">")
            .Each(buckets, (h, b) => h.Add($"<li>{ConsoleLayout.Link("/console/restore?bucket=" + Uri.EscapeDataString(b.Name), b.Name)} <span class=\"hint\">{b.Region}</span></li>"))
            .Add($"</ul>")
            .If(buckets.Count == 0, h => h.Add($"<p>The account has no bucket.</p>"));
        await r.PageAsync("Restore an image", "restore", body, [r.Cli("s3api", "list-buckets")]);
    }

    private static async Task ObjectsAsync(ConsoleRequest r, string bucket)
    {
        ObjectListing listing;
        try
        {
            listing = await r.Buckets.ListObjectsAsync(bucket, new ListObjectsQuery { MaxKeys = MaxListed }, r.Aborted);
        }
        catch (ObjectStoreException e)
        {
            await r.PageAsync("Restore an image", "restore", ConsoleLayout.Refusal(new ConsoleRefusal(e.Code, e.Message)), [r.Cli("s3api", "list-objects-v2", ("--bucket", bucket))], e.Status);
            return;
        }

        var archives = listing.Objects.Where(o => o.Key.EndsWith(".bin", StringComparison.Ordinal)).ToList();
        var body = new Html().Add($"<p>Stored images in <strong>{bucket}</strong> ({ConsoleLayout.Link("/console/restore", "other buckets")}):</p>")
            .Add($"<div class=\"scroll\"><table class=\"list\"><thead><tr><th>Object</th><th class=\"num\">Size</th><th>Stored</th></tr></thead><tbody>")
            .Each(archives, (h, o) => h.Add($"<tr><td>{ConsoleLayout.Link($"/console/restore?bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(o.Key)}", o.Key)}</td><td class=\"num\">{ConsoleApi.Size(o.Size)}</td><td>{ConsoleLayout.Time(o.LastModified)}</td></tr>"))
            .Add($"</tbody></table></div>")
            .If(archives.Count == 0, h => h.Add($"<p>No <code>.bin</code> object here.</p>"))
            .If(listing.IsTruncated, h => h.Add($"<p class=\"hint\">Only the first {MaxListed} objects are listed.</p>"));
        await r.PageAsync("Restore an image", "restore", body, [r.Cli("s3api", "list-objects-v2", ("--bucket", bucket), ("--query", "Contents[?ends_with(Key, '.bin')]"))]);
    }

    private static async Task ObjectAsync(ConsoleRequest r, string bucket, string key, string name, HtmlText outcome)
    {
        var inspection = await InspectAsync(r, bucket, key);
        var storedName = inspection?["Name"]?.ToString() ?? "";
        var body = new Html().Add($"""
            <p>{ConsoleLayout.Link("/console/restore?bucket=" + Uri.EscapeDataString(bucket), "← objects in " + bucket)}</p>
            <form class="task" method="post" action="/console/restore" data-check="/console/restore/check">
            {r.CsrfField}
            <input type="hidden" name="bucket" value="{bucket}"><input type="hidden" name="key" value="{key}">
            <label for="name">Name of the restored image</label>
            <input id="name" name="name" value="{name}" placeholder="{storedName}" maxlength="128">
            <p class="hint">Left empty, the image keeps its stored name ({storedName}); a name the account already uses is refused.</p>
            <div id="check" class="check" aria-live="polite">{outcome}</div>
            <div class="buttons"><button type="submit" formmethod="get" formaction="/console/restore" class="secondary">Check</button>
            <button type="submit">Restore image</button></div>
            </form>
            <h2>What s3://{bucket}/{key} holds</h2>
            """);
        body.Add(inspection is null ? new Html().Add($"<p>The object could not be read as a stored image (see above).</p>") : JsonView.Render(inspection));
        var arguments = new List<CliArgument> { ("--bucket", bucket), ("--object-key", key) };
        if (name.Length > 0)
        {
            arguments.Add(("--name", name));
        }

        await r.PageAsync("Restore " + key, "restore", body,
        [
            $"amivault inspect {AwsCli.Quote($"s3://{bucket}/{key}")} --endpoint-url {r.EndpointUrl}",
            r.Cli("ec2", "create-restore-image-task", [.. arguments]),
        ]);
    }

    /// <summary>The archive's header, manifest and index, read with a few ranged GETs; null when it is not one.</summary>
    private static async Task<JsonObject?> InspectAsync(ConsoleRequest r, string bucket, string key)
    {
        try
        {
            var info = await r.Buckets.HeadObjectAsync(bucket, key, r.Aborted);
            var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(r.Buckets, bucket, key, info.ETag, info.Size), r.Aborted);
            var result = new JsonObject { ["Location"] = $"s3://{bucket}/{key}" };
            ArchiveInspection.AddSummary(result, reader);
            ArchiveInspection.AddObject(result, info.ETag, info.LastModified, info.Metadata);
            ArchiveInspection.AddContents(result, reader);
            return result;
        }
        catch (Exception e) when (e is ObjectStoreException or ArchiveFormatException or EndOfStreamException)
        {
            return null;
        }
    }

    private static async Task<HtmlText> CheckOutcomeAsync(ConsoleRequest r, string bucket, string key, string name)
    {
        try
        {
            await r.Api.RestoreAsync(bucket, key, name, dryRun: true);
            return new Html().Add($"<p class=\"hint\">Checked.</p>");
        }
        catch (ConsoleRefusal refusal) when (refusal.IsDryRunSuccess)
        {
            return new Html().Add($"<div class=\"accepted\" role=\"status\">AWS would accept this restore.</div>");
        }
        catch (ConsoleRefusal refusal)
        {
            return ConsoleLayout.Refusal(refusal);
        }
    }
}
