namespace AmiVault.Benchmarks.Suite;

internal enum Role
{
    /// <summary>AmiVault doing the job.</summary>
    Ours,

    /// <summary>A tool or a raw baseline doing the same job, to compare with.</summary>
    Peer,
}
