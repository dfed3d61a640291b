using AmiVault.Blocks;
using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2.Actions.Snapshots;

/// <summary>DeleteSnapshot: refused while a registered image maps the snapshot; blocks no other snapshot uses are reclaimed.</summary>
internal sealed class DeleteSnapshotAction(IImageCatalog images, OwnedResources owned, SnapshotDeleter deleter) : IEc2Action
{
    public string Name => "DeleteSnapshot";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get("SnapshotId") is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var snapshot = await owned.SnapshotAsync(call.AccountId, call.Parameters.Required("SnapshotId"), call.Aborted);
        if (await images.FindImageUsingSnapshotAsync(snapshot.SnapshotId, call.Aborted) is { } imageId)
        {
            throw InUse($"The snapshot {snapshot.SnapshotId} is currently in use by {imageId}");
        }

        call.EndIfDryRun();
        try
        {
            await deleter.DeleteAsync(snapshot.SnapshotId, call.Aborted);
        }
        catch (CatalogConflictException e)
        {
            throw InUse(e.Message);
        }

        await call.RespondTrueAsync();
    }

    private static Ec2Exception InUse(string message) => new("InvalidSnapshot.InUse", message);
}
