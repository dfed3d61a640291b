using AmiVault.ObjectStore;
using AmiVault.Tasks;

namespace AmiVault.Console.Pages;

/// <summary>The account's buckets and what they hold: objects with size, storage date and, for stored images, their metadata.</summary>
internal static class BucketsPage
{
    private const int MaxListed = 1000;

    /// <summary>Objects whose metadata is read (one HEAD each) per page; the rest are listed without it.</summary>
    private const int MaxDescribed = 200;

    public static async Task RenderAsync(ConsoleRequest r)
    {
        var bucket = r.Query("bucket");
        var buckets = await r.Buckets.ListBucketsAsync(r.Aborted);
        var body = new Html().Add($"<nav class=\"buckets\" aria-label=\"Buckets\"><ul>")
            .Each(buckets, (h, b) => h.Add($"<li>{ConsoleLayout.Link("/console/buckets?bucket=" + Uri.EscapeDataString(b.Name), b.Name, b.Name == bucket ? "current" : "")} <span class=\"hint\">{b.Region}, created {ConsoleLayout.Time(b.CreationDate)}</span></li>"))
            .Add($"</ul></nav>")
            .If(buckets.Count == 0, h => h.Add($"<p>The account has no bucket yet: <code>{r.Cli("s3", "mb", ("s3://my-images", null))}</code></p>"));
        if (bucket.Length == 0)
        {
            await r.PageAsync("Buckets", "buckets", body, [r.Cli("s3api", "list-buckets")]);
            return;
        }

        try
        {
            var listing = await r.Buckets.ListObjectsAsync(bucket, new ListObjectsQuery { MaxKeys = MaxListed }, r.Aborted);
            var described = new ObjectInfo?[listing.Objects.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, Math.Min(listing.Objects.Count, MaxDescribed)),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = r.Aborted },
                async (i, ct) =>
                {
                    if (listing.Objects[i].Key.EndsWith(".bin", StringComparison.Ordinal))
                    {
                        described[i] = await TaskBuckets.HeadObjectAsync(r.Buckets, bucket, listing.Objects[i].Key, ct);
                    }
                });
            body.Add($"<h2>{bucket}</h2><div class=\"scroll\"><table class=\"list\"><thead><tr><th>Object</th><th class=\"num\">Size</th><th>Stored</th><th>Image</th><th>Image metadata</th><th><span class=\"sr\">Actions</span></th></tr></thead><tbody>");
            for (var i = 0; i < listing.Objects.Count; i++)
            {
                var o = listing.Objects[i];
                var metadata = described[i]?.Metadata ?? new Dictionary<string, string>();
                body.Add($"<tr><td>{o.Key}</td><td class=\"num\">{ConsoleApi.Size(o.Size)}</td><td>{ConsoleLayout.Time(o.LastModified)}</td><td>{metadata.GetValueOrDefault(StoredImageMetadata.Name)}</td><td>")
                    .Each(metadata.Where(m => m.Key != StoredImageMetadata.Name).OrderBy(m => m.Key, StringComparer.Ordinal), (h, m) => h.Add($"<span class=\"tag\">{m.Key}={m.Value}</span> "))
                    .Add($"</td><td>")
                    .If(described[i] is not null, h => h.Add(ConsoleLayout.Link($"/console/restore?bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(o.Key)}", "Restore", "action")))
                    .Add($"</td></tr>");
            }

            body.Add($"</tbody></table></div>")
                .If(listing.Objects.Count == 0, h => h.Add($"<p>The bucket is empty.</p>"))
                .If(listing.IsTruncated, h => h.Add($"<p class=\"hint\">Only the first {MaxListed} objects are listed.</p>"));
        }
        catch (Exception e) when (e is ObjectStoreException or TaskRejectedException)
        {
            body.Add(ConsoleLayout.Refusal(e is ObjectStoreException s ? new ConsoleRefusal(s.Code, s.Message) : new ConsoleRefusal(((TaskRejectedException)e).Code, e.Message)));
        }

        await r.PageAsync("Buckets", "buckets", body,
        [
            r.Cli("s3api", "list-objects-v2", ("--bucket", bucket)),
            r.Cli("s3api", "head-object", ("--bucket", bucket), ("--key", "ami-....bin")) + "   # the image metadata",
        ]);
    }
}
