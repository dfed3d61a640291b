namespace AmiVault.Ebs;

/// <summary>
/// The EBS direct APIs' fixed block: what a snapshot is cut into on the wire, by the server's block store and by
/// the client that imports or exports a disk, so both sides take it from here rather than from each other.
/// </summary>
internal static class EbsBlock
{
    public const int Size = 524288;
}
