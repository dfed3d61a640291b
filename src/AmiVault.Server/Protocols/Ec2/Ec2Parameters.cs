using System.Globalization;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// The flattened parameters of an EC2 Query request (`Filter.1.Value.2`), read with the conventions the SDKs use:
/// lists numbered from 1, structures nested with dots. A view can be narrowed to one structure's members.
/// </summary>
internal sealed class Ec2Parameters
{
    /// <summary>No list we serve needs more members; a longer list is refused.</summary>
    private const int MaxListMembers = 1000;

    private readonly IReadOnlyDictionary<string, string> _all;
    private readonly string _prefix;

    public Ec2Parameters(IReadOnlyDictionary<string, string> all, string prefix = "")
    {
        _all = all;
        _prefix = prefix;
    }

    /// <summary>Every parameter under this view, names relative to it (for fingerprints of a whole request).</summary>
    public IEnumerable<KeyValuePair<string, string>> Pairs =>
        _all.Where(p => p.Key.StartsWith(_prefix, StringComparison.Ordinal)).Select(p => KeyValuePair.Create(p.Key[_prefix.Length..], p.Value));

    public string? Get(string name) => _all.GetValueOrDefault(_prefix + name);

    public string Required(string name)
    {
        var value = Get(name);
        return string.IsNullOrEmpty(value) ? throw Ec2Exception.Missing(_prefix + name) : value;
    }

    /// <summary>A member whose value must be one of <paramref name="allowed"/> (an enum in the model); null when absent.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        var value = Get(name);
        return value is null || allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw Ec2Exception.InvalidValue(_prefix + name, value, $"Expected one of: {string.Join(", ", allowed)}.");
    }

    /// <summary>A view of the nested structure `Name.*`, or null when the request has none of its members.</summary>
    public Ec2Parameters? Structure(string name)
    {
        var prefix = $"{_prefix}{name}.";
        return _all.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)) ? new Ec2Parameters(_all, prefix) : null;
    }

    public bool? Bool(string name)
    {
        var value = Get(name);
        return value switch
        {
            null => null,
            _ when value.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            _ when value.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            _ => throw Ec2Exception.InvalidValue(_prefix + name, value, "Expected true or false."),
        };
    }

    public long? Long(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var value = Get(name);
        if (value is null)
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            throw Ec2Exception.InvalidValue(_prefix + name, value, "Expected an integer.");
        }

        if (parsed < min || parsed > max)
        {
            throw Ec2Exception.InvalidValue(_prefix + name, value, $"Expected a value from {min} to {max}.");
        }

        return parsed;
    }

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue) => (int?)Long(name, min, max);

    /// <summary>`Name.N` in order of N, whatever the gaps: AWS reads list members by their indices.</summary>
    public List<string> List(string name) =>
        [.. Indices(name, nested: false).Select(i => Get($"{name}.{i}")!)];

    /// <summary>Views of `Name.N.*` for lists of structures, in order of N, whatever the gaps.</summary>
    public List<Ec2Parameters> Structures(string name) =>
        [.. Indices(name, nested: true).Select(i => new Ec2Parameters(_all, $"{_prefix}{name}.{i}."))];

    /// <summary>
    /// The indices N of the members `Name.N` (or, when <paramref name="nested"/>, of `Name.N.*`), ascending. An index
    /// must be a positive integer written without leading zeros (so `Name.01` cannot shadow `Name.1`); a list may have
    /// at most <see cref="MaxListMembers"/> members.
    /// </summary>
    private SortedSet<int> Indices(string name, bool nested)
    {
        var prefix = $"{_prefix}{name}.";
        var indices = new SortedSet<int>();
        foreach (var key in _all.Keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if ((dot >= 0) != nested)
            {
                continue;
            }

            var text = dot >= 0 ? rest[..dot] : rest;
            if (text.Length == 0 || text[0] is < '1' or > '9' || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new Ec2Exception("InvalidParameterValue",
                    $"The parameter {key} is not valid: the members of list {_prefix}{name} are numbered with positive integers (1, 2, ...).");
            }

            indices.Add(index);
            if (indices.Count > MaxListMembers)
            {
                throw new Ec2Exception("InvalidParameterValue", $"The list {_prefix}{name} has more than {MaxListMembers} members.");
            }
        }

        return indices;
    }

    /// <summary>Filters as name → accepted values; one filter's values OR, several filters AND.</summary>
    public List<Ec2Filter> Filters() =>
        [.. Structures("Filter").Select(f => new Ec2Filter(f.Required("Name"), f.List("Value")))];

    /// <summary>Tags as `Name.N.Key`/`Name.N.Value` (Tag, S3ObjectTag); keys checked as EC2 checks them.</summary>
    public List<KeyValuePair<string, string>> Tags(string name = "Tag")
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in Structures(name))
        {
            var key = tag.Get("Key") ?? throw Ec2Exception.Missing($"{tag._prefix}Key");
            var value = tag.Get("Value") ?? "";
            Ec2Validation.TagKeyValue(key, value);
            if (tags.Exists(t => t.Key == key))
            {
                throw new Ec2Exception("InvalidParameterValue", $"Duplicate tag key '{key}' specified.");
            }

            tags.Add(new(key, value));
        }

        return tags;
    }

    /// <summary>`TagSpecification.N.ResourceType` with its tags, grouped by resource type.</summary>
    public Dictionary<string, List<KeyValuePair<string, string>>> TagSpecifications(params string[] allowedResourceTypes)
    {
        var byType = new Dictionary<string, List<KeyValuePair<string, string>>>(StringComparer.Ordinal);
        foreach (var spec in Structures("TagSpecification"))
        {
            var type = spec.Required("ResourceType");
            if (!allowedResourceTypes.Contains(type))
            {
                throw Ec2Exception.InvalidValue("TagSpecification.ResourceType", type,
                    $"Allowed resource types: {string.Join(", ", allowedResourceTypes)}.");
            }

            if (!byType.TryGetValue(type, out var tags))
            {
                byType[type] = tags = [];
            }

            tags.AddRange(spec.Tags());
        }

        return byType;
    }
}

internal sealed record Ec2Filter(string Name, IReadOnlyList<string> Values);
