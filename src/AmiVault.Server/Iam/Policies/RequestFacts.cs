using System.Globalization;
using System.Net;

namespace AmiVault.Iam.Policies;

/// <summary>
/// What a request tells conditions and policy variables: who asks, from where, when, and the tags involved. Values
/// are computed only when a condition or a variable asks for them, so requests under condition-free policies pay
/// nothing for them.
/// </summary>
internal sealed class RequestFacts
{
    public required string PrincipalArn { get; init; }

    public required string PrincipalAccount { get; init; }

    /// <summary>"Account" (root keys), "User" or "AssumedRole", as aws:PrincipalType says.</summary>
    public required string PrincipalType { get; init; }

    /// <summary>The user's name (aws:username); null for roots and assumed roles, as in AWS.</summary>
    public string? UserName { get; init; }

    /// <summary>aws:userid: the user's or role's unique id (role sessions: "ROLEID:session").</summary>
    public string? UserId { get; init; }

    /// <summary>The ARNs a Principal element may name to mean this caller (an assumed role: session and role).</summary>
    public IReadOnlyList<string> PrincipalArns { get; init; } = [];

    public IPAddress? SourceIp { get; init; }

    public required string RequestedRegion { get; init; }

    public required DateTimeOffset CurrentTime { get; init; }

    public bool SecureTransport { get; init; }

    public IReadOnlyDictionary<string, string>? ResourceTags { get; init; }

    public IReadOnlyDictionary<string, string>? RequestTags { get; init; }

    public string? S3Prefix { get; init; }

    /// <summary>The values of a condition key for this request; null when the request has none (the key is absent).</summary>
    public IReadOnlyList<string>? Values(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var tags = key[..slash].ToLowerInvariant() switch
            {
                "aws:resourcetag" => ResourceTags,
                "aws:requesttag" => RequestTags,
                _ => null,
            };
            return tags is not null && tags.TryGetValue(key[(slash + 1)..], out var tag) ? [tag] : null;
        }

        return key.ToLowerInvariant() switch
        {
            "aws:principalarn" => [PrincipalArn],
            "aws:principalaccount" => [PrincipalAccount],
            "aws:principaltype" => [PrincipalType],
            "aws:username" => UserName is null ? null : [UserName],
            "aws:userid" => UserId is null ? null : [UserId],
            "aws:sourceip" => SourceIp is null ? null : [SourceIp.ToString()],
            "aws:requestedregion" => [RequestedRegion],
            "aws:currenttime" => [CurrentTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)],
            "aws:epochtime" => [CurrentTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)],
            "aws:securetransport" => [SecureTransport ? "true" : "false"],
            "aws:tagkeys" => RequestTags is null ? null : [.. RequestTags.Keys],
            "s3:prefix" => S3Prefix is null ? null : [S3Prefix],
            _ => null,
        };
    }
}
