using System.Text.Json;

namespace AmiVault.Protocols.Ebs;

/// <summary>How EBS answers write values: timestamps as epoch seconds (JSON numbers), unset members as null.</summary>
internal static class EbsJson
{
    public static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset time) =>
        json.WriteNumber(name, time.ToUnixTimeMilliseconds() / 1000.0);

    public static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
