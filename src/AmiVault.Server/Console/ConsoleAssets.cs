using System.Security.Cryptography;

namespace AmiVault.Console;

/// <summary>
/// The stylesheet and script, embedded in the assembly (nothing to fetch: the console runs air-gapped). Their URLs
/// carry a digest of their content, so browsers may keep them for a year and still never use a stale one.
/// </summary>
internal static class ConsoleAssets
{
    public static readonly ConsoleAsset Css = Load("console.css", "text/css; charset=utf-8");
    public static readonly ConsoleAsset Script = Load("console.js", "text/javascript; charset=utf-8");

    public static ConsoleAsset? Find(string path) =>
        path == Css.Path ? Css : path == Script.Path ? Script : null;

    private static ConsoleAsset Load(string name, string contentType)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("AmiVault.Console.Assets." + name)
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        return new ConsoleAsset("/assets/" + name, $"/console/assets/{name}?v={version}", contentType, bytes);
    }
}
