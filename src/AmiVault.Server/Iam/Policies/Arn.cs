namespace AmiVault.Iam.Policies;

/// <summary>ARN shapes and the ArnLike comparison: part by part (partition, service, region, account, resource).</summary>
internal static class Arn
{
    /// <summary>Whether <paramref name="text"/> has the six parts of an ARN (the resource part may hold colons).</summary>
    public static bool IsArn(string text) =>
        text.StartsWith("arn:", StringComparison.Ordinal) && text.Count(c => c == ':') >= 5;

    public static bool Matches(string pattern, string arn)
    {
        if (!IsArn(pattern) || !IsArn(arn))
        {
            return false;
        }

        var p = pattern.Split(':', 6);
        var a = arn.Split(':', 6);
        for (var i = 0; i < 6; i++)
        {
            if (!IamWildcard.Matches(p[i], a[i], ignoreCase: false))
            {
                return false;
            }
        }

        return true;
    }
}
