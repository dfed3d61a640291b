namespace AmiVault.Archive;

internal enum BlockRunKind : byte
{
    /// <summary>Written blocks that are all zeros: listed, never stored.</summary>
    Zero = 0,

    /// <summary>Block i of the run is stored block <c>StoredBlock + i</c> (the usual case: fresh data in order).</summary>
    Sequential = 1,

    /// <summary>Every block of the run is the same stored block (a repeated pattern).</summary>
    Repeated = 2,
}
