namespace AmiVault.Archive;

/// <summary>
/// The bytes of an archive cannot be trusted or understood. The reader lets no other exception escape for bad
/// bytes, so a caller can turn this one into a clear task failure.
/// </summary>
public sealed class ArchiveFormatException(ArchiveProblem problem, string message) : Exception(message)
{
    public ArchiveProblem Problem { get; } = problem;
}
