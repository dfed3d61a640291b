using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Auth;

/// <summary>The SigV4 fields of a request, from its Authorization header or from a presigned query string.</summary>
internal sealed record SigV4Request(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string AmzDate,
    TimeSpan? PresignedExpiry)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    public bool IsPresigned => PresignedExpiry is not null;

    public string Scope => $"{Date}/{Region}/{Service}/aws4_request";

    /// <summary>The service a request is signed for, without checking anything else: used to route it.</summary>
    public static string? PeekService(HttpRequest request)
    {
        try
        {
            return Parse(request)?.Service;
        }
        catch (AuthFailureException)
        {
            return null;
        }
    }

    /// <summary>Null when the request carries no signature at all.</summary>
    public static SigV4Request? Parse(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!string.IsNullOrEmpty(authorization))
        {
            return ParseHeader(request, authorization);
        }

        return request.Query.ContainsKey("X-Amz-Signature") || request.Query.ContainsKey("X-Amz-Credential")
            ? ParseQuery(request)
            : null;
    }

    private static SigV4Request ParseHeader(HttpRequest request, string authorization)
    {
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            throw Malformed("Only AWS4-HMAC-SHA256 signatures are accepted.");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Malformed($"Authorization header component '{part}' is not of the form name=value.");
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: break;
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            throw Malformed("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (string.IsNullOrEmpty(amzDate))
        {
            var date = request.Headers.Date.ToString();
            amzDate = DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
                : throw Malformed("The request has neither an X-Amz-Date nor a Date header.");
        }

        return Build(credential, signedHeaders, signature, amzDate, expiry: null);
    }

    private static SigV4Request ParseQuery(HttpRequest request)
    {
        var query = request.Query;
        if (query["X-Amz-Algorithm"].ToString() != Algorithm)
        {
            throw Malformed("X-Amz-Algorithm must be AWS4-HMAC-SHA256.");
        }

        var expiresText = query["X-Amz-Expires"].ToString();
        if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires is < 1 or > 604800)
        {
            throw Malformed("X-Amz-Expires must be a number of seconds from 1 to 604800.");
        }

        return Build(
            query["X-Amz-Credential"].ToString(),
            query["X-Amz-SignedHeaders"].ToString(),
            query["X-Amz-Signature"].ToString(),
            query["X-Amz-Date"].ToString(),
            TimeSpan.FromSeconds(expires));
    }

    private static SigV4Request Build(string credential, string signedHeaders, string signature, string amzDate, TimeSpan? expiry)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[0].Length == 0)
        {
            throw Malformed($"Credential '{credential}' is not of the form ACCESSKEY/DATE/REGION/SERVICE/aws4_request.");
        }

        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigitLower))
        {
            throw Malformed("Signature must be 64 lower-case hex digits.");
        }

        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (headers.Length == 0 || !headers.Contains("host"))
        {
            throw Malformed("SignedHeaders must include 'host'.");
        }

        return new SigV4Request(scope[0], scope[1], scope[2], scope[3], headers, signature, amzDate, expiry);
    }

    private static AuthFailureException Malformed(string message) => new(AuthFailureKind.Malformed, message);
}
