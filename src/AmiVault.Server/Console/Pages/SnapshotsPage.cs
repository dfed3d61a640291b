namespace AmiVault.Console.Pages;

/// <summary>The account's snapshots and the images that use them.</summary>
internal static class SnapshotsPage
{
    public static async Task RenderAsync(ConsoleRequest r)
    {
        var snapshots = await r.Api.SnapshotsAsync();
        var images = await r.Api.ImagesAsync([]);
        var usedBy = images
            .SelectMany(i => i.Mappings.Where(m => m.SnapshotId is not null).Select(m => (Snapshot: m.SnapshotId!, Image: i)))
            .ToLookup(u => u.Snapshot, u => u.Image);
        var running = snapshots.Exists(s => s.State == "pending");
        var body = new Html().Add($"""
            <p class="count">{snapshots.Count} snapshot{(snapshots.Count == 1 ? "" : "s")}</p>
            <div class="scroll"><table class="list"><thead><tr><th>Snapshot ID</th><th>State</th><th>Progress</th><th class="num">Size</th><th>Started</th><th>Used by</th><th>Description</th><th>Tags</th></tr></thead><tbody>
            """)
            .Each(snapshots, (h, s) => h.Add($"""
                <tr><td class="id">{s.Id}</td><td>{ConsoleLayout.State(s.State)}{(s.StatusMessage is { } m ? " — " + m : "")}</td><td>{ConsoleLayout.Progress(s.Progress, "Snapshot " + s.Id)}</td>
                <td class="num">{s.VolumeSizeGib} GiB</td><td>{ConsoleLayout.Time(s.Started)}</td>
                <td>
                """).Each(usedBy[s.Id], (h, i) => h.Add($"{ConsoleLayout.Link("/console/images/" + i.Id, i.Name.Length > 0 ? i.Name : i.Id)} "))
                .Add($"</td><td>{s.Description}</td><td>{ConsoleLayout.Tags(s.Tags)}</td></tr>"))
            .Add($"</tbody></table></div>")
            .If(running, h => h.Add($"<p class=\"hint\">Snapshots still pending: reload to see their progress, or follow a restore from its image's page.</p>"));
        await r.PageAsync("Snapshots", "snapshots", body, [r.Cli("ec2", "describe-snapshots", ("--owner-ids", "self"))]);
    }
}
