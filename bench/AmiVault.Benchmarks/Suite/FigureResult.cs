namespace AmiVault.Benchmarks.Suite;

/// <summary>
/// A row of the goals table as measured. Values are medians. The ratio (ours / peer) is the median of the ratios
/// within each repetition, where ours and the peer ran one after the other under the same load; that is steadier on
/// a shared machine than a ratio of medians, which it falls back to when the counts differ.
/// </summary>
internal sealed record FigureResult(
    string Name,
    Metric Metric,
    string Ours,
    string? Peer,
    double? OursValue,
    double? PeerValue,
    double? Ratio,
    string? Goal,
    bool? Met,
    string? Note)
{
    public static FigureResult From(Figure figure, IReadOnlyList<ContenderResult> contenders)
    {
        var ours = contenders.Single(c => c.Id == figure.Ours);
        var peer = figure.Peer is null ? null : contenders.Single(c => c.Id == figure.Peer);
        var oursValue = ours.Median(figure.Metric);
        var peerValue = peer?.Median(figure.Metric);
        var ratio = peer is null ? null : PairedRatio(ours, peer, figure.Metric) ?? (oursValue is { } o && peerValue is > 0 ? o / peerValue : null);
        var met = oursValue is { } value ? figure.Goal?.IsMet(value, ratio) : null;
        var note = ours.Unavailable ?? ours.Error ?? peer?.Unavailable ?? peer?.Error;
        return new FigureResult(figure.Name, figure.Metric, ours.Id, peer?.Id, oursValue, peerValue, ratio, figure.Goal?.Text, met, note);
    }

    private static double? PairedRatio(ContenderResult ours, ContenderResult peer, Metric metric)
    {
        if (ours.Samples.Count == 0 || ours.Samples.Count != peer.Samples.Count)
        {
            return null;
        }

        var ratios = ours.Samples.Zip(peer.Samples)
            .Select(p => (Ours: ContenderResult.Value(p.First, metric), Peer: ContenderResult.Value(p.Second, metric)))
            .Where(p => p.Ours is not null && p.Peer is > 0)
            .Select(p => p.Ours!.Value / p.Peer!.Value);
        return Stats.Of(ratios)?.Median;
    }
}
