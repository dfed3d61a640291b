using System.Text.Json;
using System.Text.Json.Serialization;
using AmiVault.Benchmarks.Suite;

namespace AmiVault.Benchmarks.Reports;

/// <summary>Suite results as JSON files, so that a later run can be compared with an earlier one.</summary>
internal static class ResultFile
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task WriteAsync(SuiteResult result, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, Options, cancellationToken);
    }

    public static async Task<SuiteResult> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<SuiteResult>(file, Options, cancellationToken)
            ?? throw new InvalidDataException($"{path} holds no suite result.");
    }
}
