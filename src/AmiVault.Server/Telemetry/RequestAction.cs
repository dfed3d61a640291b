using Microsoft.AspNetCore.Http;

namespace AmiVault.Telemetry;

/// <summary>
/// The action a request turned out to be (DescribeImages, PutSnapshotBlock, PutObject…), told by the protocol that
/// parsed it, for the request metrics: only a protocol knows it, and only after reading the request.
/// </summary>
internal static class RequestAction
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string action) => context.Items[Key] = action;

    /// <summary>The action, or "unknown" for a request no protocol got as far as naming (refused before, or malformed).</summary>
    public static string Of(HttpContext context) => context.Items.TryGetValue(Key, out var action) && action is string name ? name : "unknown";
}
