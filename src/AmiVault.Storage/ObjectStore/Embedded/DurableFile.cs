using System.Text.Json;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>Small files replaced whole: written to a temporary name, flushed to disk, renamed over the old one.</summary>
internal static class DurableFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Temp, fsync, rename and folder fsync: the one durable-write mechanism, <see cref="IO.DurableFile"/>.</summary>
    public static void WriteJson<T>(string path, T value) => IO.DurableFile.WriteAll(path, JsonSerializer.SerializeToUtf8Bytes(value, Json));

    /// <summary>The file's value, or null when it does not exist.</summary>
    public static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonSerializer.Deserialize<T>(file, Json) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
