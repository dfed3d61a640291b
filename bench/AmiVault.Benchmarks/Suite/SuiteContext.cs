using System.Diagnostics;
using AmiVault.Imaging;

namespace AmiVault.Benchmarks.Suite;

/// <summary>What scenarios share: the settings, the generated inputs (made once, kept between runs), scratch space.</summary>
internal sealed class SuiteContext(SuiteSettings settings)
{
    private readonly List<InputRecord> _inputs = [];
    private readonly Dictionary<string, ImageFile> _images = [];

    public SuiteSettings Settings => settings;

    public bool Smoke => settings.Smoke;

    /// <summary>The main image size (--size); scenarios scale their inputs from it.</summary>
    public long ImageSize => settings.ImageSize;

    public IReadOnlyList<InputRecord> Inputs => _inputs;

    /// <summary>A path for a scenario's temporary files, on the same disk as the inputs; emptied by the suite at the end.</summary>
    public string Scratch(string name)
    {
        var folder = Path.Combine(settings.WorkDir, "scratch");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>A dense image of <paramref name="size"/> from the suite's seed and mix, every byte written, as dd makes.</summary>
    public Task<ImageFile> ImageAsync(long size, CancellationToken cancellationToken) =>
        GetAsync(new DiskImageGenerator(size, settings.Seed, DiskImageMix.Parse(settings.Mix)), $"image-{size}.raw", cancellationToken);

    /// <summary>A sparse file: a <paramref name="volume"/> with the dense image of <paramref name="written"/> spread in it.</summary>
    public Task<ImageFile> SparseImageAsync(long volume, long written, CancellationToken cancellationToken) =>
        GetAsync(DiskImageGenerator.Sparse(volume, written, settings.Seed, DiskImageMix.Parse(settings.Mix)), $"sparse-{volume}-{written}.raw", cancellationToken);

    private async Task<ImageFile> GetAsync(DiskImageGenerator image, string name, CancellationToken cancellationToken)
    {
        if (_images.TryGetValue(name, out var known))
        {
            return known;
        }

        var folder = Path.Combine(settings.WorkDir, "inputs");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        var descriptionPath = path + ".txt";
        var description = image.ToString();
        double seconds = 0;
        if (!(File.Exists(path) && new FileInfo(path).Length == image.Size && File.Exists(descriptionPath) && await File.ReadAllTextAsync(descriptionPath, cancellationToken) == description))
        {
            System.Console.WriteLine($"  generating {name}: {description}");
            File.Delete(descriptionPath);
            var stopwatch = Stopwatch.StartNew();
            await image.WriteFileAsync(path, holes: false, cancellationToken);
            seconds = stopwatch.Elapsed.TotalSeconds;
            await File.WriteAllTextAsync(descriptionPath, description, cancellationToken);
            System.Console.WriteLine($"  generated in {seconds:0.00} s ({image.WrittenSize / 1e6 / seconds:0} MB/s of data)");
        }

        _inputs.Add(new InputRecord(path, image.Size, image.WrittenSize, description, seconds));
        return _images[name] = new ImageFile(path, image);
    }
}
