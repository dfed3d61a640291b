using AmiVault.Auth;
using AmiVault.Catalog;
using AmiVault.Configuration;
using AmiVault.Iam;

namespace AmiVault.Tasks;

/// <summary>
/// The permissions a task needs beyond the action that starts it, as AWS documents them: a store reads the image's
/// snapshots (ebs:ListSnapshotBlocks, ebs:GetSnapshotBlock), writes and may abort its object (s3:PutObject,
/// s3:AbortMultipartUpload) and tags it when asked (s3:PutObjectTagging); a restore reads its object (s3:GetObject)
/// and writes new snapshots (ebs:StartSnapshot, ebs:PutSnapshotBlock, ebs:CompleteSnapshot). They are checked when
/// the task is admitted and again while it runs, as its principal, so a principal that loses them fails its task.
/// </summary>
internal sealed class TaskPermissions(Authorizer authorizer, ServerContext server)
{
    public IReadOnlyList<(string Action, string Resource)> ForStore(StoreTaskRecord task, IEnumerable<string> snapshotIds)
    {
        var objectArn = ResourceArns.Object(server, task.Bucket, task.ObjectKey);
        var needs = new List<(string, string)>();
        foreach (var snapshotId in snapshotIds.Distinct())
        {
            needs.Add(("ebs:ListSnapshotBlocks", ResourceArns.Snapshot(server, snapshotId)));
            needs.Add(("ebs:GetSnapshotBlock", ResourceArns.Snapshot(server, snapshotId)));
        }

        needs.Add(("s3:PutObject", objectArn));
        needs.Add(("s3:AbortMultipartUpload", objectArn));
        if (task.ObjectTags.Count > 0)
        {
            needs.Add(("s3:PutObjectTagging", objectArn));
        }

        return needs;
    }

    public IReadOnlyList<(string Action, string Resource)> ForRestore(string bucket, string objectKey)
    {
        var anySnapshot = ResourceArns.Snapshot(server, "*");
        return
        [
            ("s3:GetObject", ResourceArns.Object(server, bucket, objectKey)),
            ("ebs:StartSnapshot", anySnapshot),
            ("ebs:PutSnapshotBlock", anySnapshot),
            ("ebs:CompleteSnapshot", anySnapshot),
        ];
    }

    /// <summary>Null when <paramref name="principal"/> holds every permission in <paramref name="needs"/>; else AWS's denial message.</summary>
    public string? Denial(IamPrincipal principal, IReadOnlyList<(string Action, string Resource)> needs)
    {
        // A task runs after its request: no source address or transport to judge, only who and when.
        var facts = authorizer.Facts(principal, sourceIp: null, secure: false);
        foreach (var (action, resource) in needs)
        {
            var result = authorizer.Check(principal, action, [resource], facts);
            if (!result.Allowed)
            {
                return result.Message;
            }
        }

        return null;
    }

    /// <summary>Fails a running task whose principal no longer holds what it needs, with AWS's reason.</summary>
    public void Require(string? principalArn, IReadOnlyList<(string Action, string Resource)> needs)
    {
        if (principalArn is not null && IamPrincipal.FromArn(principalArn) is { } principal && Denial(principal, needs) is { } denial)
        {
            throw new TaskFailedException($"Access denied while the task ran: {denial}.");
        }
    }

    /// <summary>Refuses a task at admission when its principal lacks what it will need.</summary>
    public void Demand(IamPrincipal principal, IReadOnlyList<(string Action, string Resource)> needs)
    {
        if (Denial(principal, needs) is { } message)
        {
            var (action, resource) = needs.First(n => Denial(principal, [n]) is not null);
            throw new AccessDeniedException(message, action, resource);
        }
    }
}
