using System.CommandLine;
using System.Diagnostics;
using AmiVault.Imaging;

namespace AmiVault.Benchmarks.Cli;

/// <summary>`generate`: writes a disk image from the generator, to look at or to feed other tools.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var output = new Argument<string>("output") { Description = "Image file to write, or - for standard output." };
        var size = new Option<string>("--size") { Description = "Volume size (e.g. 2G, 1T).", DefaultValueFactory = _ => "1G" };
        var written = new Option<string?>("--written") { Description = "Sparse mode: how much data is written in the volume (e.g. 1G)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same bytes.", DefaultValueFactory = _ => 1 };
        var mix = new Option<string?>("--mix") { Description = $"Content mix (default {DiskImageMix.SystemDisk})." };
        var holes = new Option<bool>("--holes") { Description = "Leave zero runs as holes (sparse file); sparse images always are." };

        var command = new Command("generate", "Write a generated disk image.") { output, size, written, seed, mix, holes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var image = CreateImage(parse.GetValue(size)!, parse.GetValue(written), parse.GetValue(seed), parse.GetValue(mix));
            var path = parse.GetValue(output)!;
            var stopwatch = Stopwatch.StartNew();
            if (path == "-")
            {
                await using var stdout = System.Console.OpenStandardOutput();
                await using var source = image.OpenRead();
                await source.CopyToAsync(stdout, 8 << 20, cancellationToken);
                await System.Console.Error.WriteLineAsync($"{image}\nwritten in {stopwatch.Elapsed.TotalSeconds:0.00} s");
                return 0;
            }

            await image.WriteFileAsync(path, parse.GetValue(holes), cancellationToken);
            System.Console.WriteLine($"{Path.GetFullPath(path)}: {image}");
            System.Console.WriteLine($"written in {stopwatch.Elapsed.TotalSeconds:0.00} s ({image.WrittenSize / 1e6 / stopwatch.Elapsed.TotalSeconds:0} MB/s of data)");
            return 0;
        });
        return command;
    }

    public static DiskImageGenerator CreateImage(string size, string? written, ulong seed, string? mix)
    {
        var parsedMix = mix is null ? DiskImageMix.SystemDisk : DiskImageMix.Parse(mix);
        return written is null
            ? new DiskImageGenerator(ByteSize.Parse(size), seed, parsedMix)
            : DiskImageGenerator.Sparse(ByteSize.Parse(size), ByteSize.Parse(written), seed, parsedMix);
    }
}
