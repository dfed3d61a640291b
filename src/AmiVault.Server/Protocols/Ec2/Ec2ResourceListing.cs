using AmiVault.Catalog;

namespace AmiVault.Protocols.Ec2;

/// <summary>
/// How a Describe* action lists the resources of one kind a caller may see — its own and those shared with it —
/// (DescribeImages, DescribeSnapshots): narrowed to `{IdsParameter}.N` when given (which excludes MaxResults, as EC2
/// says), scoped (Owner.N, ExecutableBy.N, RestorableBy.N), filtered (tags included), paginated, and written as
/// `&lt;{SetName}&gt;&lt;item&gt;…` with `nextToken`. Tags are per account: a shared resource shows none of its owner's.
/// Define one per action, statically.
/// </summary>
internal sealed record Ec2ResourceListing<T>(
    Ec2ResourceKind Kind,
    string IdsParameter,
    string SetName,
    Func<T, string> IdOf,
    Func<T, string> OwnerOf,
    Func<T, string> Position,
    Ec2FilterSet<T> Filters,
    Action<Ec2Xml, T, IReadOnlyList<KeyValuePair<string, string>>> Write)
{
    /// <summary>
    /// Answers the call after the action's own checks. <paramref name="listVisible"/> gives everything the caller may
    /// see (an id outside it is NotFound); <paramref name="inScope"/> keeps what the request's scoping asks for.
    /// </summary>
    public async Task RespondAsync(Ec2Call call, Ec2PageTokens pageTokens, ITagCatalog tags, Func<CancellationToken, Task<IReadOnlyList<T>>> listVisible, Func<T, bool> inScope)
    {
        var ids = call.Parameters.List(IdsParameter);
        if (ids.Count > 0 && call.Parameters.Get("MaxResults") is not null)
        {
            throw new Ec2Exception("InvalidParameterCombination", $"MaxResults cannot be used together with {IdsParameter}.N.");
        }

        var pager = pageTokens.Start(call);
        var visible = await listVisible(call.Aborted);
        var candidates = ids.Count > 0 ? Kind.Select(visible, IdOf, ids) : [.. visible];
        var tagsById = await tags.GetManyAsync([.. candidates.Where(r => OwnerOf(r) == call.AccountId).Select(IdOf)], call.Aborted);
        IReadOnlyList<KeyValuePair<string, string>> TagsOf(T resource) => tagsById.GetValueOrDefault(IdOf(resource)) ?? [];
        var matches = Filters.Compile(call.Parameters.Filters(), TagsOf);
        call.EndIfDryRun();

        var (page, nextToken) = pager.Take(candidates.Where(r => inScope(r) && matches(r)), Position);
        await call.RespondAsync(x => x.Set(SetName, page, (x, r) => Write(x, r, TagsOf(r))).Value("nextToken", nextToken));
    }
}
