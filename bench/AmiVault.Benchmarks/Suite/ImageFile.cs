using AmiVault.Imaging;

namespace AmiVault.Benchmarks.Suite;

/// <summary>A generated image written to disk, with the generator that made it (to know its zero blocks, extents…).</summary>
internal sealed record ImageFile(string Path, DiskImageGenerator Image);
