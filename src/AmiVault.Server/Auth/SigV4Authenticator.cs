using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using AmiVault.Signing;

namespace AmiVault.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 on every request, header or presigned form, and makes the request body safe
/// to read: a body whose hash was signed is checked as it streams, and one signed without the
/// x-amz-content-sha256 header (the AWS CLI's EC2 and EBS JSON requests) is buffered, within a bound, to be hashed.
/// </summary>
internal sealed class SigV4Authenticator(ICredentialStore credentials, string region, string partition, SigningKeyCache keys, TimeProvider time)
{
    public const string UnsignedPayload = CanonicalRequest.UnsignedPayload;
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    public async Task<RequestIdentity> AuthenticateAsync(HttpContext context, string service, long maxBufferedBody)
    {
        var request = context.Request;
        if (IsSignatureVersion2(request))
        {
            throw new AuthFailureException(AuthFailureKind.UnsupportedSignatureVersion,
                "The authorization mechanism you have provided (Signature Version 2) is not supported. Please use AWS4-HMAC-SHA256 (Signature Version 4).");
        }

        var sig = SigV4Request.Parse(request)
            ?? throw new AuthFailureException(AuthFailureKind.Missing, "Requests must be signed with AWS Signature Version 4.");

        if (sig.Service != service)
        {
            throw new AuthFailureException(AuthFailureKind.WrongService, $"Credential should be scoped to correct service: '{service}'.");
        }

        var credential = credentials.Find(sig.AccessKeyId)
            ?? throw new AuthFailureException(AuthFailureKind.UnknownAccessKey, "The AWS Access Key Id you provided does not exist in our records.");

        if (sig.Region != region && !(IsGlobalService(service) && sig.Region == GlobalRegion(partition)))
        {
            throw new AuthFailureException(AuthFailureKind.WrongRegion, $"Credential should be scoped to a valid region: '{region}', not '{sig.Region}'.");
        }

        var requestTime = CheckTime(sig);
        CheckToken(request, credential);
        var payloadHash = await ResolvePayloadHashAsync(request, sig, maxBufferedBody);

        var signingKey = keys.Get(credential.SecretAccessKey, sig.Date, sig.Region, sig.Service);
        var stringToSign = WireCanonicalRequest.StringToSign(request, sig, payloadHash);
        var expected = CanonicalRequest.Signature(signingKey, stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sig.Signature)))
        {
            throw new AuthFailureException(
                AuthFailureKind.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return new RequestIdentity(credential.Account, credential.Principal, sig.Service, sig.Region, requestTime, sig.AmzDate, sig.Scope, signingKey, sig.Signature, payloadHash);
    }

    /// <summary>
    /// IAM and STS are global services: clients sign them for the partition's IAM region (us-east-1, us-gov-west-1,
    /// cn-north-1) unless told an endpoint, when they sign for the configured region; both are this server's.
    /// </summary>
    public static string GlobalRegion(string partition) => partition switch
    {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => "us-east-1",
    };

    private static bool IsGlobalService(string service) => service is "iam" or "sts";

    private void CheckToken(HttpRequest request, Credential credential)
    {
        if (!credential.Active)
        {
            throw new AuthFailureException(AuthFailureKind.InvalidToken, "The security token included in the request is invalid.");
        }

        var token = request.Headers["X-Amz-Security-Token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            token = request.Query["X-Amz-Security-Token"].ToString();
        }

        if (credential.SessionTokenHash is null)
        {
            if (token.Length > 0)
            {
                throw new AuthFailureException(AuthFailureKind.InvalidToken, "The security token included in the request is invalid.");
            }

            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), credential.SessionTokenHash))
        {
            throw new AuthFailureException(AuthFailureKind.InvalidToken, "The security token included in the request is invalid.");
        }

        if (credential.Expiration is { } expiration && time.GetUtcNow() >= expiration)
        {
            throw new AuthFailureException(AuthFailureKind.ExpiredToken, "The security token included in the request is expired.");
        }
    }

    /// <summary>A header `AWS key:signature`, a presigned `AWSAccessKeyId`+`Signature` URL, or EC2's `SignatureVersion=2`.</summary>
    private static bool IsSignatureVersion2(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("AWS ", StringComparison.Ordinal)
        || (request.Query.ContainsKey("AWSAccessKeyId") && request.Query.ContainsKey("Signature"))
        || request.Query["SignatureVersion"] == "2";

    private DateTimeOffset CheckTime(SigV4Request sig)
    {
        if (!DateTimeOffset.TryParseExact(sig.AmzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var requestTime))
        {
            throw new AuthFailureException(AuthFailureKind.Malformed, $"X-Amz-Date '{sig.AmzDate}' is not of the form yyyyMMddTHHmmssZ.");
        }

        if (!sig.AmzDate.StartsWith(sig.Date, StringComparison.Ordinal))
        {
            throw new AuthFailureException(AuthFailureKind.Malformed, "The credential date does not match the date of the request.");
        }

        var now = time.GetUtcNow();
        if (sig.PresignedExpiry is { } expiry)
        {
            if (now > requestTime + expiry)
            {
                throw new AuthFailureException(AuthFailureKind.Expired, "Request has expired.");
            }

            if (requestTime - now > MaxClockSkew)
            {
                throw new AuthFailureException(AuthFailureKind.ClockSkew, "The request is signed for a time too far in the future.");
            }
        }
        else if ((now - requestTime).Duration() > MaxClockSkew)
        {
            throw new AuthFailureException(
                AuthFailureKind.ClockSkew,
                $"The difference between the request time ({requestTime:yyyyMMdd'T'HHmmss'Z'}) and the server's time ({now:yyyyMMdd'T'HHmmss'Z'}) is more than 15 minutes.");
        }

        return requestTime;
    }

    private static async Task<string> ResolvePayloadHashAsync(HttpRequest request, SigV4Request sig, long maxBufferedBody)
    {
        var declared = request.Headers["x-amz-content-sha256"].ToString();
        if (string.IsNullOrEmpty(declared) && sig.IsPresigned)
        {
            declared = request.Query["X-Amz-Content-Sha256"].ToString();
            if (string.IsNullOrEmpty(declared) && sig.Service == "s3")
            {
                declared = UnsignedPayload;
            }
        }

        if (string.IsNullOrEmpty(declared))
        {
            var body = await BufferBodyAsync(request, maxBufferedBody);
            return Convert.ToHexStringLower(SHA256.HashData(body));
        }

        if (declared.Length == 64 && declared.All(char.IsAsciiHexDigit))
        {
            request.Body = new HashVerifyingStream(request.Body, Convert.FromHexString(declared));
            return declared.ToLowerInvariant();
        }

        if (declared == UnsignedPayload || declared.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            return declared;
        }

        throw new AuthFailureException(AuthFailureKind.Malformed, $"x-amz-content-sha256 '{declared}' is neither a SHA-256 nor a known payload mode.");
    }

    private static async Task<byte[]> BufferBodyAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            throw new AuthFailureException(AuthFailureKind.BodyTooLarge, $"The request body is larger than {limit} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new AuthFailureException(AuthFailureKind.BodyTooLarge, $"The request body is larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        request.Body = new MemoryStream(bytes, writable: false);
        return bytes;
    }
}
