using AmiVault.Tasks;

namespace AmiVault.Protocols.Ec2.Actions.Tasks;

/// <summary>CreateRestoreImageTask: validates the object and answers the NEW image id at once; the restore is queued.</summary>
internal sealed class CreateRestoreImageTaskAction(RestoreTaskStarter starter, TaskPermissions permissions) : IEc2Action
{
    public string Name => "CreateRestoreImageTask";

    public async Task ExecuteAsync(Ec2Call call)
    {
        var p = call.Parameters;
        var bucket = p.Required("Bucket");
        var objectKey = p.Required("ObjectKey");
        var name = p.Get("Name");
        if (name is not null)
        {
            Ec2Validation.ImageName(name);
        }

        var tagSpecifications = p.TagSpecifications("image", "snapshot");
        // Checked before the object is read: the restore reads it as the caller.
        permissions.Demand(call.Identity.Principal, permissions.ForRestore(bucket, objectKey));
        try
        {
            var plan = await starter.ValidateAsync(call.AccountId, bucket, objectKey, name, tagSpecifications, Ec2Validation.ImageName, call.Aborted);
            Ec2Validation.TagCount("the restored image", [], plan.ImageTags);
            foreach (var snapshotTags in plan.SnapshotTags)
            {
                Ec2Validation.TagCount("a restored snapshot", [], snapshotTags);
            }

            call.EndIfDryRun();
            var imageId = await starter.AdmitAsync(plan, call.Identity.Principal.Arn, call.Aborted);
            await call.RespondAsync(x => x.Value("imageId", imageId));
        }
        catch (TaskRejectedException e)
        {
            throw new Ec2Exception(e.Code, e.Message);
        }
    }
}
