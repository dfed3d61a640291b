namespace AmiVault.Iam.Policies;

/// <summary>
/// The condition keys this server knows values for. A policy naming any other key is refused when it is put: a
/// condition on a key the server never fills would silently never match (or always match, with IfExists).
/// </summary>
internal static class ConditionKeys
{
    private static readonly HashSet<string> Plain = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:SourceIp", "aws:RequestedRegion", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
        "aws:username", "aws:userid", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport", "aws:TagKeys",
        "s3:prefix",
    };

    private static readonly string[] Prefixed = ["aws:ResourceTag/", "aws:RequestTag/"];

    public static IEnumerable<string> Supported => Plain.Concat(Prefixed.Select(p => p + "<key>"));

    public static bool IsSupported(string key) =>
        Plain.Contains(key) || Prefixed.Any(p => key.Length > p.Length && key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
