using System.Text.Json;

namespace AmiVault.Protocols.Ssm;

/// <summary>The JSON body of one SSM call, read with the checks AWS applies to each member's type and bounds.</summary>
internal sealed class SsmRequest(JsonElement body)
{
    public static SsmRequest Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return new SsmRequest(JsonDocument.Parse("{}").RootElement);
        }

        try
        {
            var root = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 }).RootElement;
            return root.ValueKind == JsonValueKind.Object ? new SsmRequest(root) : throw new SsmException("SerializationException", "The request body is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new SsmException("SerializationException", $"The request body is not valid JSON: {e.Message}");
        }
    }

    public string? String(string member, int maxLength)
    {
        if (!body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Invalid(member, "a string");
        return text.Length <= maxLength ? text : throw SsmException.Validation($"1 validation error detected: Value at '{Camel(member)}' failed to satisfy constraint: Member must have length less than or equal to {maxLength}");
    }

    public string RequiredString(string member, int maxLength) =>
        String(member, maxLength) is { Length: > 0 } text ? text
        : throw SsmException.Validation($"1 validation error detected: Value null at '{Camel(member)}' failed to satisfy constraint: Member must not be null");

    public bool Bool(string member) =>
        !body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null ? false
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw Invalid(member, "a boolean");

    public long? Long(string member, long min, long max)
    {
        if (!body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var number = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw Invalid(member, "an integer");
        return number >= min && number <= max ? number
            : throw SsmException.Validation($"1 validation error detected: Value '{number}' at '{Camel(member)}' failed to satisfy constraint: Member must have value between {min} and {max}");
    }

    /// <summary>A list of strings of at most <paramref name="maxCount"/> items; empty when absent.</summary>
    public List<string> Strings(string member, int maxCount, int maxLength)
    {
        if (!body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(member, "a list");
        }

        if (value.GetArrayLength() > maxCount)
        {
            throw SsmException.Validation($"1 validation error detected: Value at '{Camel(member)}' failed to satisfy constraint: Member must have length less than or equal to {maxCount}");
        }

        return [.. value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String && item.GetString()!.Length <= maxLength
            ? item.GetString()!
            : throw Invalid(member, $"a list of strings of at most {maxLength} characters"))];
    }

    /// <summary>A list of objects (Tags, ParameterFilters) of at most <paramref name="maxCount"/> items; empty when absent.</summary>
    public List<SsmRequest> Objects(string member, int maxCount)
    {
        if (!body.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > maxCount)
        {
            throw Invalid(member, $"a list of at most {maxCount} objects");
        }

        return [.. value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Object ? new SsmRequest(item) : throw Invalid(member, "a list of objects"))];
    }

    private static SsmException Invalid(string member, string what) => new("SerializationException", $"{member} must be {what}.");

    private static string Camel(string member) => char.ToLowerInvariant(member[0]) + member[1..];
}
