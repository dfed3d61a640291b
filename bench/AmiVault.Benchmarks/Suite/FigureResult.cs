namespace AmiVault.Benchmarks.Suite;

/// <summary>A row of the goals table as measured. Values are medians; ratio = ours / peer.</summary>
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
        var ratio = oursValue is { } o && peerValue is > 0 ? o / peerValue : null;
        var met = oursValue is { } value ? figure.Goal?.IsMet(value, peerValue) : null;
        var note = ours.Unavailable ?? ours.Error ?? peer?.Unavailable ?? peer?.Error;
        return new FigureResult(figure.Name, figure.Metric, ours.Id, peer?.Id, oursValue, peerValue, ratio, figure.Goal?.Text, met, note);
    }
}
