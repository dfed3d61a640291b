using System.Net;
using AmiVault.Client;
using AmiVault.Protocols.Ebs;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static AmiVault.Tests.Ebs.EbsTestData;

namespace AmiVault.Tests.Ebs;

public sealed class SnapshotTimeoutTests
{
    [Fact]
    public async Task A_pending_snapshot_past_its_timeout_goes_to_error_and_takes_no_more_blocks()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var sweeper = server.Server.Services.GetRequiredService<SnapshotTimeoutSweeper>();
        var quick = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, TimeoutMinutes = 10 })).SnapshotId;
        var patient = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, TimeoutMinutes = 30 })).SnapshotId;
        await ebs.PutSnapshotBlockAsync(quick, 0, Filled(1));

        Assert.Empty(await sweeper.SweepAsync(DateTimeOffset.UtcNow.AddMinutes(9)));
        Assert.Equal([quick], await sweeper.SweepAsync(DateTimeOffset.UtcNow.AddMinutes(11)));

        var snapshot = (await server.Catalog().GetAsync(quick))!;
        Assert.Equal("error", snapshot.Status);
        Assert.Contains("timeout of 10 minutes", snapshot.StateMessage, StringComparison.Ordinal);
        Assert.Equal("pending", (await server.Catalog().GetAsync(patient))!.Status);
        var e = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.PutSnapshotBlockAsync(quick, 1, Filled(1)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_SNAPSHOT_ID"), (e.StatusCode, e.Reason));
        await Assert.ThrowsAsync<EbsServiceException>(() => ebs.CompleteSnapshotAsync(quick, 1));
    }

    [Fact]
    public async Task Writing_a_block_moves_the_deadline_forward()
    {
        await using var server = await TestServer.StartAsync();
        using var ebs = server.Ebs();
        var id = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, TimeoutMinutes = 10 })).SnapshotId;
        var catalog = server.Catalog();
        var started = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(started with { Deadline = started.Deadline!.Value.AddMinutes(-5) });

        await ebs.PutSnapshotBlockAsync(id, 0, Filled(1));

        Assert.InRange((await catalog.GetAsync(id))!.Deadline!.Value, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(10));
    }
}
