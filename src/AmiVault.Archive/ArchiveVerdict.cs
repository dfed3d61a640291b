namespace AmiVault.Archive;

/// <summary>The outcome of checking a whole archive: intact, or the first problem found and why.</summary>
public sealed record ArchiveVerdict(bool IsIntact, ArchiveProblem? Problem, string Message, ArchiveStatistics? Statistics)
{
    public static ArchiveVerdict Intact(ArchiveStatistics statistics) => new(
        true,
        null,
        $"The archive is intact: {statistics.Frames} frames and {statistics.StoredBlocks} blocks match their SHA-256, and the index matches the archive digest.",
        statistics);

    public static ArchiveVerdict Refused(ArchiveFormatException problem) => new(false, problem.Problem, problem.Message, null);
}
