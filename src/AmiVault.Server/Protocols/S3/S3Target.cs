using AmiVault.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using AmiVault.Signing;

namespace AmiVault.Protocols.S3;

/// <summary>
/// The bucket and key a request addresses: path-style (<c>/bucket/key</c>), or virtual-host style for
/// <c>bucket.localhost</c>. The key is taken from the raw path, so an encoded slash or space stays what was sent.
/// </summary>
internal sealed record S3Target(string? Bucket, string? Key)
{
    private const string VirtualHostSuffix = ".localhost";

    public static S3Target Parse(HttpRequest request)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query < 0 ? rawTarget : rawTarget[..query];
        if (rawPath.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || rawPath.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            rawPath = new Uri(rawPath).AbsolutePath;
        }

        var path = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        var host = request.Host.Host;
        if (host.EndsWith(VirtualHostSuffix, StringComparison.OrdinalIgnoreCase) && host.Length > VirtualHostSuffix.Length)
        {
            var bucket = host[..^VirtualHostSuffix.Length].ToLowerInvariant();
            return new S3Target(bucket, path.Length == 0 ? null : AwsUriEncoding.Decode(path));
        }

        if (path.Length == 0)
        {
            return new S3Target(null, null);
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return new S3Target(AwsUriEncoding.Decode(path), null);
        }

        var key = path[(slash + 1)..];
        return new S3Target(AwsUriEncoding.Decode(path[..slash]), key.Length == 0 ? null : AwsUriEncoding.Decode(key));
    }
}
