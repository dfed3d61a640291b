namespace AmiVault.Console.Pages;

/// <summary>
/// One image: what it is, its AMI aliases (the aws:ec2:image parameters pointing at it), its block device mappings,
/// its snapshots (filling up while a restore runs, refreshed live), its tags and the buckets it was stored in.
/// </summary>
internal static class ImagePage
{
    public static async Task RenderAsync(ConsoleRequest r, string imageId, bool fragment)
    {
        var image = await r.Api.ImageAsync(imageId);
        if (image is null)
        {
            var missing = new Html().Add($"<p>The account has no image {imageId}. <a href=\"/console/images\">All images</a></p>");
            await r.PageAsync("Image not found", "images", missing, [r.Cli("ec2", "describe-images", ("--image-ids", imageId))], 404);
            return;
        }

        var snapshots = await r.Api.SnapshotsAsync([.. image.Mappings.Select(m => m.SnapshotId).OfType<string>().Distinct()]);
        var live = Live(image, snapshots);
        if (fragment)
        {
            await r.FragmentAsync(live);
            return;
        }

        var stored = (await r.Api.StoreTasksAsync()).Where(t => t.ImageId == image.Id).ToList();
        HtmlText aliases;
        try
        {
            aliases = await r.Api.AliasesAsync(image.Id) switch
            {
                null => new Html().Add($"more than {ConsoleApi.MaxAliasesScanned} aliases in the account: see the command below"),
                [] => new Html().Add($"none"),
                var names => new Html().Each(names, (h, n) => h.Add($"<span class=\"id alias\">{n}</span> ")),
            };
        }
        catch (ConsoleRefusal e)
        {
            // A principal without the ssm: read actions still sees the image; the refusal is said where the aliases would be.
            aliases = new Html().Add($"not shown: {e.Code}: {e.Message}");
        }

        var body = new Html().Add($"""
            <dl class="facts">
            <dt>Image ID</dt><dd class="id">{image.Id}</dd>
            <dt>Name</dt><dd>{image.Name}</dd>
            <dt>Description</dt><dd>{image.Description}</dd>
            <dt>Created</dt><dd>{ConsoleLayout.Time(image.Created)}</dd>
            <dt>Architecture</dt><dd>{image.Architecture}</dd>
            <dt>Boot mode</dt><dd>{image.BootMode}</dd>
            <dt>Virtualization</dt><dd>{image.VirtualizationType}</dd>
            <dt>Root device</dt><dd>{image.RootDeviceName}</dd>
            <dt>Size</dt><dd>{image.SizeGib} GiB</dd>
            <dt>Tags</dt><dd>{ConsoleLayout.Tags(image.Tags)}</dd>
            <dt>Aliases</dt><dd class="aliases">{aliases}</dd>
            """)
            .If(image.SourceImageId is not null, h => h.Add($"<dt>Restored from</dt><dd>{image.SourceImageId} ({image.SourceImageRegion})</dd>"))
            .Add($"</dl>")
            .Add(live)
            .Add($"""
            <h2>Block device mappings</h2>
            <div class="scroll"><table class="list"><thead><tr><th>Device</th><th>Snapshot</th><th class="num">Volume size</th><th>Volume type</th><th>Encrypted</th></tr></thead><tbody>
            """)
            .Each(image.Mappings, (h, m) => h.Add($"<tr><td>{m.DeviceName}</td><td class=\"id\">{m.SnapshotId}</td><td class=\"num\">{m.VolumeSizeGib} GiB</td><td>{m.VolumeType}</td><td>{(m.Encrypted ? "yes" : "no")}</td></tr>"))
            .Add($"""
            </tbody></table></div>
            <h2>Where it is stored</h2>
            """);
        if (stored.Count == 0)
        {
            body.Add($"<p>No store of this image in the last 31 days.</p>");
        }
        else
        {
            body.Add($"<div class=\"scroll\"><table class=\"list\"><thead><tr><th>Object</th><th>Started</th><th>State</th><th>Progress</th></tr></thead><tbody>")
                .Each(stored, (h, t) => h.Add($"<tr><td>s3://{t.Bucket}/{t.ObjectKey}</td><td>{ConsoleLayout.Time(t.Started)}</td><td>{ConsoleLayout.State(t.State)}</td><td>{ConsoleLayout.Progress(t.Progress, "Store of " + t.ImageId)}</td></tr>"))
                .Add($"</tbody></table></div>");
        }

        await r.PageAsync(image.Name.Length > 0 ? image.Name : image.Id, "images", body,
        [
            r.Cli("ec2", "describe-images", ("--image-ids", image.Id)),
            r.Cli("ec2", "describe-snapshots", new CliArgument("--snapshot-ids", [.. snapshots.Select(s => s.Id)])),
            r.Cli("ec2", "describe-store-image-tasks", ("--image-ids", image.Id)),
            r.Cli("ssm", "describe-parameters", ("--parameter-filters", "Key=DataType,Values=aws:ec2:image")),
        ]);
    }

    /// <summary>State and snapshots; refreshed by the page's script until the image is no longer pending.</summary>
    private static HtmlText Live(ImageView image, List<SnapshotView> snapshots)
    {
        var pending = image.State == "pending";
        var html = new Html().Add($"<section class=\"live\" id=\"image-live\"{ConsoleLayout.LiveWhile(pending, $"/console/images/{image.Id}/live")} aria-live=\"polite\">")
            .Add($"<p>State: <strong class=\"image-state\">{ConsoleLayout.State(image.State)}</strong>")
            .If(image.StateReason is not null, h => h.Add($" — {image.StateReason}"))
            .Add($"</p>")
            .If(image.State == "available", h => h.Add($"<p>{ConsoleLayout.Link($"/console/store?image={image.Id}", "Store this image in a bucket", "button")}</p>"))
            .Add($"<h2>Snapshots</h2><div class=\"scroll\"><table class=\"list\"><thead><tr><th>Snapshot</th><th>State</th><th>Progress</th><th class=\"num\">Size</th><th>Description</th></tr></thead><tbody>")
            .Each(snapshots, (h, s) => h.Add($"<tr><td class=\"id\">{s.Id}</td><td>{ConsoleLayout.State(s.State)}</td><td>{ConsoleLayout.Progress(s.Progress, "Snapshot " + s.Id)}</td><td class=\"num\">{s.VolumeSizeGib} GiB</td><td>{s.Description}</td></tr>"))
            .Add($"</tbody></table></div></section>");
        return html;
    }
}
