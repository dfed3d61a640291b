using System.Security.Cryptography;
using System.Text;
using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Catalog.Iam;
using AmiVault.Catalog.Sqlite;
using AmiVault.Configuration;
using AmiVault.Iam;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using AmiVault.Signing;

namespace AmiVault.Benchmarks.Micro;

/// <summary>
/// SigV4 verification, paid on every request (a PutSnapshotBlock per 512 KiB block): deriving the signing key
/// (four HMACs) against the cache, and the whole check of a header-signed request with UNSIGNED-PAYLOAD. Then the
/// same request signed by an IAM user holding the seed policy (issue 12), verified through the server's real
/// credential store (IamDirectory over a SQLite catalog) and authorized as ebs:PutSnapshotBlock on the snapshot's
/// ARN: the goal is within 1.2x of SigV4 alone (the baseline).
/// </summary>
public class SigV4Benchmark
{
    private const string Secret = "bench-secret-bench-secret-bench-secret-00";
    private const string SeedPolicy = """
        { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": [
          "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload",
          "ebs:CompleteSnapshot", "ebs:GetSnapshotBlock", "ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks",
          "ebs:PutSnapshotBlock", "ebs:StartSnapshot", "ec2:CreateStoreImageTask", "ec2:DescribeStoreImageTasks",
          "ec2:CreateRestoreImageTask", "ec2:GetEbsEncryptionByDefault", "ec2:DescribeTags" ], "Resource": "*" } ] }
        """;

    private readonly SigningKeyCache _keys = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("amivault-bench-iam-").FullName;
    private SigV4Authenticator? _authenticator;
    private HttpContext? _context;
    private SqliteDatabase? _catalog;
    private SigV4Authenticator? _iamAuthenticator;
    private Authorizer? _authorizer;
    private HttpContext? _userContext;
    private string[] _snapshotArn = [];

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

        SetUpIamUser(account, now);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _catalog?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark]
    public byte[] DeriveSigningKey() => SigningKeyCache.Derive(Secret, "20260101", "us-east-1", "ebs");

    [Benchmark]
    public byte[] CachedSigningKey() => _keys.Get(Secret, "20260101", "us-east-1", "ebs");

    [Benchmark(Baseline = true)]
    public async Task<string> VerifyRequest() => (await _authenticator!.AuthenticateAsync(_context!, "ebs", 1 << 20)).Account.Id;

    /// <summary>What an IAM user's PutSnapshotBlock costs before its handler runs: SigV4 through IAM's store, then authorization.</summary>
    [Benchmark]
    public async Task<string> VerifyAndAuthorizeIamUser()
    {
        var identity = await _iamAuthenticator!.AuthenticateAsync(_userContext!, "ebs", 1 << 20);
        _authorizer!.Demand(identity, _userContext!, "ebs:PutSnapshotBlock", _snapshotArn);
        return identity.Account.Id;
    }

    /// <summary>An IAM user with the seed policy inline and one key, in a real catalog, as `aws iam` would have made them.</summary>
    private void SetUpIamUser(Account account, DateTimeOffset now)
    {
        var server = new ServerContext(new AmiVaultOptions { Region = "us-east-1", DataDir = _dataDir });
        _catalog = new SqliteDatabase(Path.Combine(_dataDir, "catalog.db"));
        var catalog = new SqliteIamCatalog(_catalog);
        var sealer = new SecretSealer(new DataFolderKeys(_dataDir).GetOrCreate("iam-secrets"));
        var key = new Account(account.Id, "AKIABENCHUSERBENCH01", "bench-user-secret-bench-user-secret-0000");
        catalog.CreateUserAsync(new IamUserRecord(account.Id, "ci", "AIDABENCHBENCHBENCH1", now)).GetAwaiter().GetResult();
        catalog.CreateAccessKeyAsync(new IamAccessKeyRecord(key.AccessKeyId, account.Id, "ci", sealer.Seal(key.AccessKeyId, key.SecretAccessKey), true, now), 2).GetAwaiter().GetResult();
        catalog.PutInlinePolicyAsync(new IamInlinePolicyRecord(account.Id, IamPrincipalKind.User, "ci", "seed", SeedPolicy)).GetAwaiter().GetResult();
        var directory = new IamDirectory(new AccountDirectory([account]), catalog, sealer, server, TimeProvider.System);
        _iamAuthenticator = new SigV4Authenticator(directory, "us-east-1", "aws", new SigningKeyCache(), TimeProvider.System);
        _authorizer = new Authorizer(directory, server, TimeProvider.System);
        _snapshotArn = [ResourceArns.Snapshot(server, "snap-0123456789abcdef0")];
        _userContext = SignedRequest(key, now);
        _userContext.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if (VerifyAndAuthorizeIamUser().GetAwaiter().GetResult() != account.Id)
        {
            throw new InvalidOperationException("The benchmark's IAM user request is not allowed.");
        }
    }

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
