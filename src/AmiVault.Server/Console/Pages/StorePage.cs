using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AmiVault.Console.Pages;

/// <summary>
/// Store an image in a bucket (CreateStoreImageTask). The choice is checked with DryRun as it is made, so the reason
/// AWS would refuse it is on screen before anything is submitted.
/// </summary>
internal static class StorePage
{
    private const int TagRows = 3;

    public static async Task RenderAsync(ConsoleRequest r, IFormCollection? form)
    {
        var values = form is null ? (Func<string, StringValues>)(n => r.Http.Request.Query[n]) : n => form[n];
        var imageId = values("image").ToString().Trim();
        var bucket = values("bucket").ToString().Trim();
        var tags = Tags(values("tagKey"), values("tagValue"));
        HtmlText outcome;
        if (form is not null)
        {
            try
            {
                await r.Api.StoreAsync(imageId, bucket, tags, dryRun: false);
                r.Http.Response.StatusCode = StatusCodes.Status303SeeOther;
                r.Http.Response.Headers.Location = "/console/tasks?image=" + Uri.EscapeDataString(imageId);
                return;
            }
            catch (ConsoleRefusal refusal)
            {
                outcome = ConsoleLayout.Refusal(refusal);
            }
        }
        else
        {
            outcome = await CheckOutcomeAsync(r, imageId, bucket, tags);
        }

        var images = (await r.Api.ImagesAsync([("state", "available")])).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        var buckets = await r.Buckets.ListBucketsAsync(r.Aborted);
        var body = new Html().Add($"""
            <form class="task" method="post" action="/console/store" data-check="/console/store/check">
            {r.CsrfField}
            <label for="image">Image</label>
            <select id="image" name="image" required><option value="">choose an image</option>
            """)
            .Each(images, (h, i) => h.Add($"<option value=\"{i.Id}\"{Selected(i.Id == imageId)}>{i.Name} ({i.Id}, {i.SizeGib} GiB)</option>"))
            .Add($"""
            </select>
            <label for="bucket">Bucket</label>
            <select id="bucket" name="bucket" required><option value="">choose a bucket</option>
            """)
            .Each(buckets, (h, b) => h.Add($"<option value=\"{b.Name}\"{Selected(b.Name == bucket)}>{b.Name} ({b.Region})</option>"))
            .Add($"""
            </select>
            <fieldset><legend>Object tags (optional, up to 10)</legend>
            """);
        for (var i = 0; i < Math.Max(TagRows, tags.Count + 1); i++)
        {
            var tag = i < tags.Count ? tags[i] : default;
            body.Add($"""
                <div class="tagrow"><label>Key <input name="tagKey" value="{tag.Key}"></label><label>Value <input name="tagValue" value="{tag.Value}"></label></div>
                """);
        }

        body.Add($"""
            </fieldset>
            <div id="check" class="check" aria-live="polite">{outcome}</div>
            <div class="buttons"><button type="submit" formmethod="get" formaction="/console/store" class="secondary">Check</button>
            <button type="submit">Store image</button></div>
            </form>
            """)
            .If(buckets.Count == 0, h => h.Add($"<p class=\"hint\">The account has no bucket yet: create one with <code>{r.Cli("s3", "mb", ("s3://my-images", null))}</code>.</p>"));
        await r.PageAsync("Store an image", "store", body, [Command(r, imageId, bucket, tags, dryRun: false), Command(r, imageId, bucket, tags, dryRun: true) + "   # checks only"]);
    }

    /// <summary>The DryRun outcome of the form as it stands, fetched by the page's script whenever a field changes.</summary>
    public static async Task CheckAsync(ConsoleRequest r)
    {
        var query = r.Http.Request.Query;
        var imageId = query["image"].ToString().Trim();
        var bucket = query["bucket"].ToString().Trim();
        await r.FragmentAsync(await CheckOutcomeAsync(r, imageId, bucket, Tags(query["tagKey"], query["tagValue"])));
    }

    private static async Task<HtmlText> CheckOutcomeAsync(ConsoleRequest r, string imageId, string bucket, List<KeyValuePair<string, string>> tags)
    {
        if (imageId.Length == 0 || bucket.Length == 0)
        {
            return new Html().Add($"<p class=\"hint\">Choose an image and a bucket; they are checked as AWS would check them.</p>");
        }

        try
        {
            await r.Api.StoreAsync(imageId, bucket, tags, dryRun: true);
            return new Html().Add($"<p class=\"hint\">Checked.</p>");
        }
        catch (ConsoleRefusal refusal) when (refusal.IsDryRunSuccess)
        {
            return new Html().Add($"<div class=\"accepted\" role=\"status\">AWS would accept this store: s3://{bucket}/{imageId}.bin</div>");
        }
        catch (ConsoleRefusal refusal)
        {
            return ConsoleLayout.Refusal(refusal);
        }
    }

    private static string Command(ConsoleRequest r, string imageId, string bucket, List<KeyValuePair<string, string>> tags, bool dryRun)
    {
        var arguments = new List<CliArgument> { ("--image-id", imageId.Length > 0 ? imageId : "ami-..."), ("--bucket", bucket.Length > 0 ? bucket : "BUCKET") };
        if (tags.Count > 0)
        {
            arguments.Add(new("--s3-object-tags", [.. tags.Select(t => $"Key={t.Key},Value={t.Value}")]));
        }

        if (dryRun)
        {
            arguments.Add(("--dry-run", null));
        }

        return r.Cli("ec2", "create-store-image-task", [.. arguments]);
    }

    private static List<KeyValuePair<string, string>> Tags(StringValues keys, StringValues values)
    {
        var tags = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < keys.Count && i < 64; i++)
        {
            var key = keys[i]?.Trim() ?? "";
            var value = i < values.Count ? values[i] ?? "" : "";
            if (key.Length > 0 || value.Length > 0)
            {
                tags.Add(new(key, value));
            }
        }

        return tags;
    }

    private static HtmlText Selected(bool selected) => selected ? new HtmlText(" selected") : HtmlText.Empty;
}
