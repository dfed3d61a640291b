using System.Globalization;

namespace AmiVault.Console.Pages;

/// <summary>
/// Store tasks of the last 31 days with their progress and throughput, refreshed live while any runs, and the
/// restores in progress (their new images are pending until every snapshot is whole).
/// </summary>
internal static class TasksPage
{
    public static async Task RenderAsync(ConsoleRequest r, bool fragment)
    {
        var tasks = await r.Api.StoreTasksAsync();
        var images = await r.Api.ImagesAsync([]);
        var live = Live(r, tasks, images);
        if (fragment)
        {
            await r.FragmentAsync(live);
            return;
        }

        var body = new Html().Add($"<p>{ConsoleLayout.Link("/console/store", "Store an image", "button")} {ConsoleLayout.Link("/console/restore", "Restore an image", "button")}</p>").Add(live);
        await r.PageAsync("Tasks", "tasks", body,
        [
            r.Cli("ec2", "describe-store-image-tasks"),
            r.Cli("ec2", "describe-images", ("--owners", "self"), ("--filters", "Name=state,Values=pending")) + "   # restores in progress",
        ]);
    }

    private static HtmlText Live(ConsoleRequest r, List<StoreTaskView> tasks, List<ImageView> images)
    {
        var byId = images.ToDictionary(i => i.Id);
        var restores = images.Where(i => i.State == "pending" && i.SourceImageId is not null).ToList();
        var running = restores.Count > 0 || tasks.Exists(t => t.State == "InProgress");
        var highlight = r.Query("image");
        var now = r.Now;
        var html = new Html().Add($"<section class=\"live\" id=\"tasks-live\"{ConsoleLayout.LiveWhile(running, "/console/tasks/live" + r.Http.Request.QueryString)} aria-live=\"polite\">")
            .Add($"<h2>Store tasks (last 31 days)</h2>");
        if (tasks.Count == 0)
        {
            html.Add($"<p>No store task in the last 31 days.</p>");
        }
        else
        {
            html.Add($"<div class=\"scroll\"><table class=\"list tasks\"><thead><tr><th>Image</th><th>Object</th><th>Started</th><th>State</th><th>Progress</th><th class=\"num\">Throughput</th><th>Failure reason</th></tr></thead><tbody>")
                .Each(tasks, (h, t) =>
                {
                    var image = byId.GetValueOrDefault(t.ImageId);
                    h.Add($"<tr class=\"{(t.ImageId == highlight ? "highlight" : "")}\" data-image=\"{t.ImageId}\"><td>")
                        .Add(image is null ? new Html().Add($"<span class=\"id\">{t.ImageId}</span>") : ConsoleLayout.Link("/console/images/" + t.ImageId, image.Name.Length > 0 ? image.Name : t.ImageId))
                        .Add($"</td><td>s3://{t.Bucket}/{t.ObjectKey}</td><td>{ConsoleLayout.Time(t.Started)}</td><td>{ConsoleLayout.State(t.State)}</td>")
                        .Add($"<td>{ConsoleLayout.Progress(t.Progress, "Store of " + t.ImageId)}</td><td class=\"num\">{Throughput(t, image, now)}</td><td>{t.FailureReason}</td></tr>");
                })
                .Add($"</tbody></table></div>");
        }

        html.Add($"<h2>Restores in progress</h2>");
        if (restores.Count == 0)
        {
            html.Add($"<p>None.</p>");
        }
        else
        {
            html.Add($"<ul class=\"restores\">")
                .Each(restores, (h, i) => h.Add($"<li>{ConsoleLayout.Link("/console/images/" + i.Id, i.Name)} ({i.Id}) from {i.SourceImageId}, {i.SizeGib} GiB</li>"))
                .Add($"</ul>");
        }

        return html.Add($"</section>");
    }

    /// <summary>
    /// The average rate of a running store, in volume bytes per second (progress counts the image's volumes, zeros
    /// included), from its start time; blank once it ended, as DescribeStoreImageTasks gives no end time.
    /// </summary>
    private static string Throughput(StoreTaskView task, ImageView? image, DateTimeOffset now)
    {
        if (task.State != "InProgress" || image is null || task.Started is not { } started || now <= started)
        {
            return "";
        }

        var bytes = image.SizeGib * (1L << 30) * task.Progress / 100.0;
        return (bytes / (now - started).TotalSeconds / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";
    }
}
