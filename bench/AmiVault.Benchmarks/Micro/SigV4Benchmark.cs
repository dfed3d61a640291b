using System.Security.Cryptography;
using System.Text;
using AmiVault.Accounts;
using AmiVault.Auth;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using AmiVault.Signing;

namespace AmiVault.Benchmarks.Micro;

/// <summary>
/// SigV4 verification, paid on every request (a PutSnapshotBlock per 512 KiB block): deriving the signing key
/// (four HMACs) against the cache, and the whole check of a header-signed request with UNSIGNED-PAYLOAD.
/// </summary>
public class SigV4Benchmark
{
    private const string Secret = "bench-secret-bench-secret-bench-secret-00";
    private readonly SigningKeyCache _keys = new();
    private SigV4Authenticator? _authenticator;
    private HttpContext? _context;

    [Params(3, 8)]
    public int SignedHeaders { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        var account = new Account("123456789012", "AKIABENCHBENCHBENCH1", Secret);
        var now = DateTimeOffset.UtcNow;
        _authenticator = new SigV4Authenticator(new RootKeys(account), "us-east-1", "aws", _keys, TimeProvider.System);
        _context = SignedRequest(account, now);
        if (_authenticator.AuthenticateAsync(_context, "ebs", 1 << 20).GetAwaiter().GetResult().Account != account)
        {
            throw new InvalidOperationException("The benchmark's request does not verify.");
        }
    }

    [Benchmark]
    public byte[] DeriveSigningKey() => SigningKeyCache.Derive(Secret, "20260101", "us-east-1", "ebs");

    [Benchmark]
    public byte[] CachedSigningKey() => _keys.Get(Secret, "20260101", "us-east-1", "ebs");

    [Benchmark(Baseline = true)]
    public async Task<string> VerifyRequest() => (await _authenticator!.AuthenticateAsync(_context!, "ebs", 1 << 20)).Account.Id;

    private HttpContext SignedRequest(Account account, DateTimeOffset now)
    {
        const string target = "/snapshots/snap-0123456789abcdef0/blocks/4711";
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "PUT";
        request.Path = target;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var headers = new List<(string Name, string Value)>
        {
            ("host", "127.0.0.1:8750"),
            ("x-amz-content-sha256", SigV4Authenticator.UnsignedPayload),
            ("x-amz-date", amzDate),
            ("x-amz-checksum", "2Zqtwr3kHRB3BYLXnUfxVb3c7ZGGd3nVpT1Tz8tAt3k="),
            ("x-amz-checksum-algorithm", "SHA256"),
            ("x-amz-data-length", "524288"),
            ("content-type", "application/octet-stream"),
            ("user-agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off command/ebs.put-snapshot-block"),
        };
        var signed = headers.Take(SignedHeaders).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }

        // Sign with the server's own canonical form: the benchmark is about the cost of checking, not the signer.
        var scope = $"{account.AccessKeyId}/{amzDate[..8]}/us-east-1/ebs/aws4_request";
        var signedNames = string.Join(';', signed.Select(h => h.Name));
        request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signedNames}, Signature={new string('0', 64)}";
        var parsed = SigV4Request.Parse(request)!;
        var stringToSign = WireCanonicalRequest.StringToSign(request, parsed, SigV4Authenticator.UnsignedPayload);
        var key = SigningKeyCache.Derive(account.SecretAccessKey, amzDate[..8], "us-east-1", "ebs");
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signedNames}, Signature={signature}";
        return context;
    }

    /// <summary>The account's root keys alone: SigV4 verification without IAM's lookups.</summary>
    private sealed class RootKeys(Account account) : ICredentialStore
    {
        private readonly Credential _credential = new(account, IamPrincipal.Root("aws", account.Id), account.SecretAccessKey);

        public Credential? Find(string accessKeyId) => accessKeyId == account.AccessKeyId ? _credential : null;
    }
}
