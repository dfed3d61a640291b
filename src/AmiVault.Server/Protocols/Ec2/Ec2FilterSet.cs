namespace AmiVault.Protocols.Ec2;

/// <summary>
/// The filters one Describe* action understands, each naming how to read the values a resource has for it.
/// A resource passes a filter when one of its values matches one of the filter's values (wildcards allowed) and
/// passes the request when it passes every filter. `tag:KEY`, `tag-key` and `tag-value` are understood when the
/// action passes the resources' tags. Define a set once per action (static) and compile it per request.
/// </summary>
internal sealed class Ec2FilterSet<T>
{
    private readonly Dictionary<string, Func<T, IEnumerable<string?>>> _fields = new(StringComparer.Ordinal);

    public Ec2FilterSet<T> Add(string name, Func<T, string?> value)
    {
        _fields.Add(name, r => [value(r)]);
        return this;
    }

    public Ec2FilterSet<T> Add(string name, Func<T, bool?> value) => Add(name, r => Ec2Xml.Text(value(r)));

    public Ec2FilterSet<T> Add(string name, Func<T, long?> value) => Add(name, r => Ec2Xml.Text(value(r)));

    public Ec2FilterSet<T> AddMany(string name, Func<T, IEnumerable<string?>> values)
    {
        _fields.Add(name, values);
        return this;
    }

    /// <summary>
    /// The predicate for the request's filters. Unknown names and filters without values are refused as EC2
    /// refuses them (InvalidParameterValue), so a typo never silently widens an answer.
    /// </summary>
    public Func<T, bool> Compile(IReadOnlyList<Ec2Filter> filters, Func<T, IReadOnlyList<KeyValuePair<string, string>>>? tagsOf = null)
    {
        var tests = new List<Func<T, bool>>(filters.Count);
        foreach (var filter in filters)
        {
            if (filter.Values.Count == 0)
            {
                throw new Ec2Exception("InvalidParameterValue", $"The filter '{filter.Name}' has no values.");
            }

            tests.Add(Test(filter, tagsOf));
        }

        return resource => tests.TrueForAll(test => test(resource));
    }

    private static bool AnyMatches(IReadOnlyList<string> patterns, IEnumerable<string?> values) =>
        values.Any(v => v is not null && patterns.Any(p => Ec2Wildcard.Matches(p, v)));

    private Func<T, bool> Test(Ec2Filter filter, Func<T, IReadOnlyList<KeyValuePair<string, string>>>? tagsOf)
    {
        if (_fields.TryGetValue(filter.Name, out var read))
        {
            return r => AnyMatches(filter.Values, read(r));
        }

        if (tagsOf is not null)
        {
            if (filter.Name.StartsWith("tag:", StringComparison.Ordinal) && filter.Name.Length > 4)
            {
                var key = filter.Name[4..];
                return r => AnyMatches(filter.Values, tagsOf(r).Where(t => t.Key == key).Select(t => t.Value));
            }

            if (filter.Name == "tag-key")
            {
                return r => AnyMatches(filter.Values, tagsOf(r).Select(t => t.Key));
            }

            if (filter.Name == "tag-value")
            {
                return r => AnyMatches(filter.Values, tagsOf(r).Select(t => t.Value));
            }
        }

        throw new Ec2Exception("InvalidParameterValue", $"The filter '{filter.Name}' is invalid");
    }
}
