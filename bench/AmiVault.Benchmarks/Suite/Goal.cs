using System.Globalization;

namespace AmiVault.Benchmarks.Suite;

/// <summary>A target an issue sets for a figure: on our value alone, on its ratio to a peer's, or either.</summary>
internal sealed class Goal
{
    private readonly Func<double, double?, bool?> _isMet;

    private Goal(string text, Func<double, double?, bool?> isMet)
    {
        Text = text;
        _isMet = isMet;
    }

    public string Text { get; }

    /// <summary>Null when it cannot be told (a peer needed and missing).</summary>
    public bool? IsMet(double ours, double? peer) => _isMet(ours, peer);

    public static Goal AtLeast(double value, string unit) => new(Invariant($"≥ {value} {unit}"), (ours, _) => ours >= value);

    public static Goal AtMost(double value, string unit) => new(Invariant($"≤ {value} {unit}"), (ours, _) => ours <= value);

    public static Goal RatioAtLeast(double ratio) => new(Invariant($"≥ {ratio:0.0#}x"), (ours, peer) => peer is > 0 ? ours / peer >= ratio : null);

    public static Goal RatioAtMost(double ratio) => new(Invariant($"≤ {ratio:0.0#}x"), (ours, peer) => peer is > 0 ? ours / peer <= ratio : null);

    public static Goal RatioBelow(double ratio) => new(Invariant($"< {ratio:0.0#}x"), (ours, peer) => peer is > 0 ? ours / peer < ratio : null);

    public static Goal Either(Goal first, Goal second) => new($"{first.Text} or {second.Text}", (ours, peer) =>
        first.IsMet(ours, peer) == true || second.IsMet(ours, peer) == true ? true
        : first.IsMet(ours, peer) is null || second.IsMet(ours, peer) is null ? null
        : false);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
