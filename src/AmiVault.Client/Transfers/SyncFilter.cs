using System.Text.RegularExpressions;

namespace AmiVault.Transfers;

/// <summary>
/// Which stored images a sync considers: --include and --exclude glob patterns (`*` any run of characters, `/`
/// included; `?` one character), each tried against the key below the source prefix and against the image name
/// stored with the object (x-amz-meta-ami-name); an object is taken when it matches an include (or none are given)
/// and no exclude. --newer-than keeps objects stored after a time.
/// </summary>
internal sealed class SyncFilter
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public SyncFilter(IReadOnlyList<string> include, IReadOnlyList<string> exclude, DateTimeOffset? newerThan)
    {
        _include = [.. include.Select(Glob)];
        _exclude = [.. exclude.Select(Glob)];
        NewerThan = newerThan;
    }

    public static SyncFilter Everything { get; } = new([], [], null);

    public DateTimeOffset? NewerThan { get; }

    /// <summary>Whether the patterns need the stored name (a HEAD per object) to decide.</summary>
    public bool NeedsName => _include.Length + _exclude.Length > 0;

    /// <param name="lastModified">Null for objects whose age does not matter (deletions).</param>
    public bool Admits(string relativeKey, string? name, DateTimeOffset? lastModified)
    {
        if (NewerThan is { } since && lastModified is { } modified && modified <= since)
        {
            return false;
        }

        bool Hit(Regex pattern) => pattern.IsMatch(relativeKey) || (name is not null && pattern.IsMatch(name));
        return (_include.Length == 0 || _include.Any(Hit)) && !_exclude.Any(Hit);
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
}
