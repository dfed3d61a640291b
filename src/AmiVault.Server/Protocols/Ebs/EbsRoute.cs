using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.Ebs;

/// <summary>The REST route of an EBS request: which operation, and the snapshot id and block index from its path.</summary>
internal sealed record EbsRoute(EbsOperation Operation, string? SnapshotId = null, string? BlockIndex = null)
{
    public const string Prefix = "/snapshots";

    public static EbsRoute? Match(string method, PathString path)
    {
        var segments = (path.Value ?? "").Trim('/').Split('/');
        if (segments[0] != "snapshots")
        {
            return null;
        }

        return (method, segments.Length) switch
        {
            ("POST", 1) => new EbsRoute(EbsOperation.StartSnapshot),
            ("POST", 3) when segments[1] == "completion" => new EbsRoute(EbsOperation.CompleteSnapshot, segments[2]),
            ("GET", 3) when segments[2] == "blocks" => new EbsRoute(EbsOperation.ListSnapshotBlocks, segments[1]),
            ("GET", 3) when segments[2] == "changedblocks" => new EbsRoute(EbsOperation.ListChangedBlocks, segments[1]),
            ("GET", 4) when segments[2] == "blocks" => new EbsRoute(EbsOperation.GetSnapshotBlock, segments[1], segments[3]),
            ("PUT", 4) when segments[2] == "blocks" => new EbsRoute(EbsOperation.PutSnapshotBlock, segments[1], segments[3]),
            _ => null,
        };
    }
}
