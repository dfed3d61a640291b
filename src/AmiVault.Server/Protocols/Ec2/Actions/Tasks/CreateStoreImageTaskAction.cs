using AmiVault.Tasks;

namespace AmiVault.Protocols.Ec2.Actions.Tasks;

/// <summary>
/// CreateStoreImageTask: answers the object key at once; the store runs as a queued task. The image may be the
/// caller's or one shared with it (then its snapshots must be shared with it too); the object goes into the caller's bucket.
/// </summary>
internal sealed class CreateStoreImageTaskAction(StoreTaskStarter starter, OwnedResources owned, TaskPermissions permissions) : IEc2Action
{
    /// <summary>S3's limit of tags on one object.</summary>
    private const int MaxObjectTags = 10;

    public string Name => "CreateStoreImageTask";

    public IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => parameters.Get("ImageId") is { } id ? [id] : [];

    public async Task ExecuteAsync(Ec2Call call)
    {
        var imageId = call.Parameters.Required("ImageId");
        var bucket = call.Parameters.Required("Bucket");
        var tags = call.Parameters.Tags("S3ObjectTag");
        if (tags.Count > MaxObjectTags)
        {
            throw new Ec2Exception("InvalidParameterValue", $"At most {MaxObjectTags} S3 object tags can be given (S3's limit per object); {tags.Count} were.");
        }

        var image = await owned.UsableImageAsync(call.AccountId, imageId, call.Aborted);
        try
        {
            var task = await starter.ValidateAsync(call.AccountId, image, bucket, tags, call.Aborted) with { PrincipalArn = call.Identity.Principal.Arn };
            permissions.Demand(call.Identity.Principal, permissions.ForStore(task, image.SnapshotIds));
            call.EndIfDryRun();
            await starter.AdmitAsync(task, call.Aborted);
            await call.RespondAsync(x => x.Value("objectKey", task.ObjectKey));
        }
        catch (TaskRejectedException e)
        {
            throw new Ec2Exception(e.Code, e.Message);
        }
    }
}
