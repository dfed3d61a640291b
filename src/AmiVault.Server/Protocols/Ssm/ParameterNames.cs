using System.Text.RegularExpressions;

namespace AmiVault.Protocols.Ssm;

/// <summary>SSM's rules for parameter names, paths, selectors (`name:version`, `name:label`) and labels.</summary>
internal static partial class ParameterNames
{
    public const int MaxNameLength = 2048;
    public const int MaxDepth = 15;

    /// <summary>Checks a parameter name as PutParameter does.</summary>
    public static string Check(string name)
    {
        if (!Allowed().IsMatch(name))
        {
            throw SsmException.Validation($"Parameter name '{name}' is invalid: only a-z, A-Z, 0-9, '_', '.', '-' and '/' are allowed.");
        }

        if (name.Contains('/') && !name.StartsWith('/'))
        {
            throw SsmException.Validation("Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");
        }

        if (name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal))
        {
            throw SsmException.Validation($"Parameter name '{name}' is invalid: a path has no empty level and does not end with '/'.");
        }

        var leaf = name.TrimStart('/');
        if (leaf.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || leaf.StartsWith("ssm", StringComparison.OrdinalIgnoreCase))
        {
            throw SsmException.Validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).");
        }

        if (name.Count(c => c == '/') > MaxDepth)
        {
            throw new SsmException("HierarchyLevelLimitExceededException", $"A hierarchy can have a maximum of {MaxDepth} levels.");
        }

        return name;
    }

    /// <summary>A path for GetParametersByPath or a Path filter: '/' or '/a/b', without a trailing slash unless it is '/'.</summary>
    public static string CheckPath(string path)
    {
        if (path == "/")
        {
            return path;
        }

        if (!path.StartsWith('/') || !Allowed().IsMatch(path) || path.Contains("//", StringComparison.Ordinal))
        {
            throw SsmException.Validation($"The parameter path '{path}' is invalid: it starts with '/' and holds letters, numbers, '.', '-', '_' and '/'.");
        }

        var trimmed = path.TrimEnd('/');
        return trimmed.Count(c => c == '/') >= MaxDepth
            ? throw new SsmException("HierarchyLevelLimitExceededException", $"A hierarchy can have a maximum of {MaxDepth} levels.")
            : trimmed;
    }

    /// <summary>Splits `name`, `name:3` or `name:label`.</summary>
    public static (string Name, long? Version, string? Label) Selector(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return (text, null, null);
        }

        var name = text[..colon];
        var selector = text[(colon + 1)..];
        return selector.Length == 0 ? throw SsmException.Validation($"The selector in '{text}' is empty.")
            : long.TryParse(selector, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? (name, version, null)
            : (name, null, selector);
    }

    /// <summary>Whether a label is one SSM accepts (else it is returned among the InvalidLabels).</summary>
    public static bool IsValidLabel(string label) =>
        label.Length is > 0 and <= 100 && LabelShape().IsMatch(label) && !char.IsAsciiDigit(label[0])
        && !label.StartsWith("aws", StringComparison.OrdinalIgnoreCase) && !label.StartsWith("ssm", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[a-zA-Z0-9_./-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Allowed();

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelShape();
}
