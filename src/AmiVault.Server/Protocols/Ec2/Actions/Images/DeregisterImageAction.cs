using AmiVault.Blocks;
using AmiVault.Catalog;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.Ec2.Actions.Images;

/// <summary>
/// DeregisterImage. With DeleteAssociatedSnapshots the image's snapshots are deleted too, except those another
/// image still maps (returnCode skipped), as EC2 does.
/// </summary>
internal sealed class DeregisterImageAction(
    IImageCatalog images,
    OwnedResources owned,
    SnapshotDeleter deleter,
    ILogger<DeregisterImageAction> logger) : IEc2Action
{
    public string Name => "DeregisterImage";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get("ImageId") is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var image = await owned.ImageAsync(call.AccountId, call.Parameters.Required("ImageId"), call.Aborted);
        var deleteSnapshots = call.Parameters.Bool("DeleteAssociatedSnapshots") == true;
        call.EndIfDryRun();

        if (!await images.DeleteAsync(image.ImageId, call.Aborted))
        {
            throw Ec2ResourceKind.Image.NotFound([image.ImageId]);
        }

        var results = new List<(string SnapshotId, string ReturnCode)>();
        foreach (var snapshotId in deleteSnapshots ? image.SnapshotIds.Distinct() : [])
        {
            results.Add((snapshotId, await DeleteSnapshotAsync(snapshotId)));
        }

        await call.RespondAsync(x =>
        {
            x.Value("return", true);
            if (deleteSnapshots)
            {
                x.Set("deleteSnapshotResultSet", results, (x, r) => x.Value("snapshotId", r.SnapshotId).Value("returnCode", r.ReturnCode));
            }
        });
    }

    private async Task<string> DeleteSnapshotAsync(string snapshotId)
    {
        // The image is already gone: its snapshots are deleted even if the client stops waiting.
        try
        {
            await deleter.DeleteAsync(snapshotId, CancellationToken.None);
            return "success";
        }
        catch (CatalogConflictException)
        {
            return "skipped";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            logger.LogError(e, "Deleting snapshot {SnapshotId} of a deregistered image failed", snapshotId);
            return "internal-error";
        }
    }
}
