using AmiVault.Catalog;
using AmiVault.Tasks;

namespace AmiVault.Protocols.Ec2.Actions.Tasks;

/// <summary>CreateStoreImageTask: answers the object key at once; the store runs as a queued task.</summary>
internal sealed class CreateStoreImageTaskAction(StoreTaskStarter starter) : IEc2Action
{
    public string Name => "CreateStoreImageTask";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var imageId = call.Parameters.Required("ImageId");
        var bucket = call.Parameters.Required("Bucket");
        if (!ResourceIds.IsWellFormed(imageId, ResourceIds.Image))
        {
            throw new Ec2Exception("InvalidAMIID.Malformed", $"Invalid id: \"{imageId}\" (expecting \"ami-...\")");
        }

        var tags = call.Parameters.Tags("S3ObjectTag");
        if (tags.Count > 10)
        {
            throw new Ec2Exception("InvalidParameterValue", "At most 10 S3 object tags can be given (S3's limit per object).");
        }

        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() != tags.Count)
        {
            throw new Ec2Exception("InvalidParameterValue", "S3 object tag keys must be unique.");
        }

        try
        {
            var task = await starter.ValidateAsync(call.AccountId, imageId, bucket, tags, call.Aborted);
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
