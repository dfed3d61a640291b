using System.Globalization;

namespace AmiVault.Benchmarks.Suite;

/// <summary>A target an issue sets for a figure: on our value alone, on its ratio to a peer's (ours / peer), or either.</summary>
internal sealed class Goal
{
    private readonly Func<double, double?, bool?> _isMet;

    private Goal(string text, Func<double, double?, bool?> isMet)
    {
        Text = text;
        _isMet = isMet;
    }

    public string Text { get; }

    /// <summary>Null when it cannot be told (a ratio needed and no peer measured).</summary>
    public bool? IsMet(double ours, double? ratio) => _isMet(ours, ratio);

    public static Goal AtLeast(double value, string unit) => new(Invariant($"≥ {value} {unit}"), (ours, _) => ours >= value);

    public static Goal AtMost(double value, string unit) => new(Invariant($"≤ {value} {unit}"), (ours, _) => ours <= value);

    public static Goal RatioAtLeast(double ratio) => new(Invariant($"≥ {ratio:0.0#}x"), (_, measured) => measured >= ratio);

    public static Goal RatioAtMost(double ratio) => new(Invariant($"≤ {ratio:0.0#}x"), (_, measured) => measured <= ratio);

    public static Goal RatioBelow(double ratio) => new(Invariant($"< {ratio:0.0#}x"), (_, measured) => measured < ratio);

    public static Goal Either(Goal first, Goal second) => new($"{first.Text} or {second.Text}", (ours, ratio) =>
        first.IsMet(ours, ratio) == true || second.IsMet(ours, ratio) == true ? true
        : first.IsMet(ours, ratio) is null || second.IsMet(ours, ratio) is null ? null
        : false);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
