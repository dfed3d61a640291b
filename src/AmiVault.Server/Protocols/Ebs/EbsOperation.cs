namespace AmiVault.Protocols.Ebs;

internal enum EbsOperation
{
    StartSnapshot,
    PutSnapshotBlock,
    CompleteSnapshot,
    ListSnapshotBlocks,
    ListChangedBlocks,
    GetSnapshotBlock,
}
