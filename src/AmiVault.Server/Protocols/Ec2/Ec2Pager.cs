namespace AmiVault.Protocols.Ec2;

/// <summary>One request's pagination, from <see cref="Ec2PageTokens.Start"/>: where the page starts and how long it is.</summary>
internal sealed class Ec2Pager(string? after, int? maxResults, Func<string, string> issueToken)
{
    /// <summary>
    /// The page of <paramref name="items"/> in ascending ordinal order of <paramref name="position"/> (a unique key
    /// per item; make it sort the way the action lists, e.g. time then id) and the NextToken when more follow.
    /// </summary>
    public (List<T> Items, string? NextToken) Take<T>(IEnumerable<T> items, Func<T, string> position)
    {
        var rest = items
            .Select(item => (Item: item, Position: position(item)))
            .Where(x => after is null || string.CompareOrdinal(x.Position, after) > 0)
            .OrderBy(x => x.Position, StringComparer.Ordinal)
            .ToList();
        if (maxResults is not { } max || rest.Count <= max)
        {
            return ([.. rest.Select(x => x.Item)], null);
        }

        return ([.. rest.Take(max).Select(x => x.Item)], issueToken(rest[max - 1].Position));
    }
}
