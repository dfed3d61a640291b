using AmiVault.Catalog;

namespace AmiVault.Protocols.Ssm;

/// <summary>
/// DescribeParameters' Filters and ParameterFilters (and GetParametersByPath's ParameterFilters): Name (Equals,
/// BeginsWith, Contains), Type, DataType and Tier (Equals), Path (Recursive, OneLevel; DescribeParameters only).
/// </summary>
internal sealed class ParameterFilter
{
    private readonly List<Func<ParameterVersion, bool>> _tests = [];

    private ParameterFilter()
    {
    }

    /// <summary>The name prefix every match has (from a Path or Name BeginsWith filter), so the catalog scan can start there.</summary>
    public string Prefix { get; private set; } = "";

    public static ParameterFilter Read(SsmRequest request, bool forPath)
    {
        var filter = new ParameterFilter();
        if (!forPath)
        {
            foreach (var legacy in request.Objects("Filters", 10))
            {
                var key = legacy.RequiredString("Key", 32);
                filter.Add(key == "KeyId" ? "KeyId" : key, "Equals", legacy.Strings("Values", 50, 1024), forPath);
            }
        }

        foreach (var item in request.Objects("ParameterFilters", 10))
        {
            filter.Add(item.RequiredString("Key", 132), item.String("Option", 10), item.Strings("Values", 50, 1024), forPath);
        }

        return filter;
    }

    public bool Matches(ParameterVersion parameter) => _tests.TrueForAll(t => t(parameter));

    private void Add(string key, string? option, List<string> values, bool forPath)
    {
        if (values.Count == 0 && key != "Path")
        {
            throw SsmException.Validation($"The filter {key} needs at least one value.");
        }

        switch (key, option ?? (key == "Path" ? "OneLevel" : "Equals"))
        {
            case ("Name", "Equals"):
                _tests.Add(p => values.Contains(p.Name, StringComparer.Ordinal));
                break;
            case ("Name", "BeginsWith"):
                _tests.Add(p => values.Exists(v => p.Name.StartsWith(v, StringComparison.Ordinal)));
                Prefix = values.Count == 1 && Prefix.Length == 0 ? values[0] : Prefix;
                break;
            case ("Name", "Contains"):
                _tests.Add(p => values.Exists(v => p.Name.Contains(v, StringComparison.Ordinal)));
                break;
            case ("Type", "Equals"):
                _tests.Add(p => values.Contains(p.Type, StringComparer.Ordinal));
                break;
            case ("DataType", "Equals"):
                _tests.Add(p => values.Contains(p.DataType, StringComparer.Ordinal));
                break;
            case ("Tier", "Equals"):
                _tests.Add(p => values.Contains(p.Tier, StringComparer.Ordinal));
                break;
            case ("Path", var depth) when !forPath && depth is "Recursive" or "OneLevel":
                var paths = values.Count == 0 ? ["/"] : values.Select(ParameterNames.CheckPath).ToList();
                _tests.Add(p => paths.Exists(path => Under(p.Name, path, depth == "Recursive")));
                break;
            case ("KeyId", _):
                // Only SecureString parameters have a key, and this server has none of them.
                _tests.Add(_ => false);
                break;
            default:
                throw new SsmException("InvalidFilterKey", $"The filter {key} with option {option} is not supported here. Supported: Name (Equals, BeginsWith, Contains), Type, DataType, Tier (Equals){(forPath ? "" : ", Path (Recursive, OneLevel)")}.");
        }
    }

    private static bool Under(string name, string path, bool recursive)
    {
        var prefix = path == "/" ? "/" : path + "/";
        return name.StartsWith(prefix, StringComparison.Ordinal) && (recursive || !name[prefix.Length..].Contains('/'));
    }
}
