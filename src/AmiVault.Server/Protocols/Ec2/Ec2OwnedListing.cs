using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// How a Describe* action lists the caller's own resources of one kind (DescribeImages, DescribeSnapshots): narrowed
/// to `{IdsParameter}.N` when given (which excludes MaxResults, as EC2 says), filtered (tags included), paginated,
/// and written as `&lt;{SetName}&gt;&lt;item&gt;…` with `nextToken`. Define one per action, statically.
/// </summary>
internal sealed record Ec2OwnedListing<T>(
    Ec2ResourceKind Kind,
    string IdsParameter,
    string SetName,
    Func<T, string> IdOf,
    Func<T, string> Position,
    Ec2FilterSet<T> Filters,
    Action<Ec2Xml, T, IReadOnlyList<KeyValuePair<string, string>>> Write)
{
    /// <summary>
    /// Answers the call after the action's own checks. <paramref name="visible"/> is false when the request asks only
    /// for what others own or share (nothing is shared here): the answer is then empty, after the same validation.
    /// </summary>
    public async Task RespondAsync(Ec2Call call, Ec2PageTokens pageTokens, ITagCatalog tags, Func<CancellationToken, Task<IReadOnlyList<T>>> listOwn, bool visible)
    {
        var ids = call.Parameters.List(IdsParameter);
        if (ids.Count > 0 && call.Parameters.Get("MaxResults") is not null)
        {
            throw new Ec2Exception("InvalidParameterCombination", $"MaxResults cannot be used together with {IdsParameter}.N.");
        }

        var pager = pageTokens.Start(call);
        var own = await listOwn(call.Aborted);
        var candidates = ids.Count > 0 ? Kind.Select(own, IdOf, ids) : [.. own];
        var tagsById = await tags.GetManyAsync([.. candidates.Select(IdOf)], call.Aborted);
        IReadOnlyList<KeyValuePair<string, string>> TagsOf(T resource) => tagsById.GetValueOrDefault(IdOf(resource)) ?? [];
        var matches = Filters.Compile(call.Parameters.Filters(), TagsOf);
        call.EndIfDryRun();

        var (page, nextToken) = pager.Take(candidates.Where(r => visible && matches(r)), Position);
        await call.RespondAsync(x => x.Set(SetName, page, (x, r) => Write(x, r, TagsOf(r))).Value("nextToken", nextToken));
    }
}
