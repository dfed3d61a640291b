using AmiVault.Telemetry;
using System.Security;
using System.Text;
using AmiVault.Auth;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.Embedded;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using AmiVault.Configuration;

namespace AmiVault.Protocols.S3;

/// <summary>
/// The S3 REST API of the embedded object store. Registered last: it is the protocol of any request that is not
/// EC2 or EBS. Requests are routed by method, by whether they address the service, a bucket or an object, and by
/// the sub-resource in the query (?uploads, ?tagging…). Every failure is an S3 XML error.
/// </summary>
internal sealed class S3Endpoint(EmbeddedObjectStoreProvider stores, Authorizer authorizer, BucketPolicyActions bucketPolicies, ServerContext server, ILogger<S3Endpoint> logger) : IProtocolEndpoint
{
    /// <summary>S3 clients always send x-amz-content-sha256, so only a stray request is buffered; none needs more.</summary>
    private const long MaxBuffered = 1024 * 1024;

    public string Service => "s3";

    public long MaxBufferedBody => MaxBuffered;

    public bool Claims(HttpRequest request) => true;

    public async Task HandleAsync(HttpContext context, RequestIdentity identity)
    {
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = requestId;
        var target = S3Target.Parse(context.Request);
        var access = new S3Access(authorizer, stores, server, identity, context);
        var call = new S3Call(context, identity, target, stores.ForAccount(identity.Account.Id), access, server.Region);
        try
        {
            var (handler, action) = Route(call);
            if (action is not null)
            {
                authorizer.Demand(identity, context, action, [Resource(call)]);
            }

            // A bucket of another account is reached through its owner's view once that bucket's policy allowed the
            // request (Demand, or the handler's own per object); its policy itself only by its owner.
            var owner = identity.Account.Id;
            if (target.Bucket is { } bucket && action?.EndsWith("BucketPolicy", StringComparison.Ordinal) != true && access.OwnerOf(bucket) != owner)
            {
                owner = access.OwnerOf(bucket);
                call = new S3Call(context, identity, target, stores.ForAccount(owner), access, server.Region);
            }

            if (call.Header("x-amz-expected-bucket-owner") is { } expectedOwner && expectedOwner != owner)
            {
                throw ObjectStoreErrors.AccessDenied(target.Bucket);
            }

            RequestAction.Set(context, handler.Method.Name.EndsWith("Async", StringComparison.Ordinal) ? handler.Method.Name[..^"Async".Length] : "Other");
            await handler(call);
        }
        catch (ObjectStoreException e) when (!context.Response.HasStarted)
        {
            logger.Log(
                e.Status >= 500 ? LogLevel.Error : LogLevel.Information,
                "S3 {Method} {Path}: {Code} {Message}", context.Request.Method, context.Request.Path, e.Code, e.Message);
            await WriteErrorAsync(context, e.Status, e.Code, e.Message, e.Resource ?? context.Request.Path, requestId, e.ETag);
        }
        catch (ObjectStoreException e)
        {
            // Part of the body is out (stored data that failed its check further on): only cutting the connection short
            // tells the client that what it got is not the object. The damaged bytes themselves were never sent.
            logger.LogError("S3 {Method} {Path}: {Code} {Message} (after the answer began; connection closed)", context.Request.Method, context.Request.Path, e.Code, e.Message);
            context.Abort();
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's word for a body shorter than its Content-Length (or framing it cannot read).
            logger.LogInformation("S3 {Method} {Path}: incomplete body: {Message}", context.Request.Method, context.Request.Path, e.Message);
            var incomplete = ObjectStoreErrors.IncompleteBody();
            await WriteErrorAsync(context, incomplete.Status, incomplete.Code, incomplete.Message, context.Request.Path, requestId);
        }
    }

    public Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure)
    {
        var (status, code) = failure.Kind switch
        {
            AuthFailureKind.Missing => (403, "AccessDenied"),
            AuthFailureKind.UnknownAccessKey => (403, "InvalidAccessKeyId"),
            AuthFailureKind.SignatureMismatch => (403, "SignatureDoesNotMatch"),
            AuthFailureKind.ClockSkew => (403, "RequestTimeTooSkewed"),
            AuthFailureKind.Expired => (403, "AccessDenied"),
            AuthFailureKind.ExpiredToken => (400, "ExpiredToken"),
            AuthFailureKind.InvalidToken => (400, "InvalidToken"),
            AuthFailureKind.ContentHashMismatch => (400, "XAmzContentSHA256Mismatch"),
            AuthFailureKind.BodyTooLarge => (400, "MaxMessageLengthExceeded"),
            AuthFailureKind.WrongRegion => (400, "AuthorizationHeaderMalformed"),
            AuthFailureKind.WrongService => (400, "AuthorizationHeaderMalformed"),
            AuthFailureKind.UnsupportedSignatureVersion => (400, "InvalidRequest"),
            _ => (400, "AuthorizationHeaderMalformed"),
        };
        var message = failure.Kind switch
        {
            AuthFailureKind.Missing => "Access Denied",
            AuthFailureKind.Expired => "Request has expired", // S3's wording, which tools match on
            _ => failure.Message,
        };
        return WriteErrorAsync(context, status, code, message, context.Request.Path, Guid.NewGuid().ToString("N")[..16].ToUpperInvariant());
    }

    public Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied) =>
        WriteErrorAsync(context, 403, "AccessDenied", denied.Message, context.Request.Path, Guid.NewGuid().ToString("N")[..16].ToUpperInvariant());

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, 500, "InternalError", "We encountered an internal error. Please try again.", context.Request.Path, Guid.NewGuid().ToString("N")[..16].ToUpperInvariant());

    /// <summary>What an S3 request is authorized on: the object it names, else its bucket, else (ListBuckets) anything.</summary>
    private string Resource(S3Call call) =>
        call.Target.Bucket is not { } bucket ? ResourceArns.Any
        : call.Target.Key is { } key ? ResourceArns.Object(server, bucket, key)
        : ResourceArns.Bucket(server, bucket);

    /// <summary>
    /// The handler of a request and the IAM action it is authorized as (AWS's names, not the operation's); no action
    /// for DeleteObjects, whose handler authorizes s3:DeleteObject on each key, as S3 does.
    /// </summary>
    private (Func<S3Call, Task> Handler, string? Action) Route(S3Call call)
    {
        var method = call.Request.Method;
        if (call.Target.Bucket is null)
        {
            return HttpMethods.IsGet(method) ? (BucketActions.ListBucketsAsync, "s3:ListAllMyBuckets") : (NotImplemented, "s3:*");
        }

        if (call.Target.Key is null)
        {
            return method switch
            {
                "GET" when call.Has("policy") => (bucketPolicies.GetAsync, "s3:GetBucketPolicy"),
                "GET" when call.Has("location") => (BucketActions.GetLocationAsync, "s3:GetBucketLocation"),
                "GET" when call.Has("encryption") => (BucketActions.GetEncryptionAsync, "s3:GetEncryptionConfiguration"),
                "GET" when call.Has("acl") => (BucketActions.GetAclAsync, "s3:GetBucketAcl"),
                "GET" when call.Has("uploads") => (ListActions.ListMultipartUploadsAsync, "s3:ListBucketMultipartUploads"),
                "GET" when call.Has("versioning") => (BucketActions.GetVersioningAsync, "s3:GetBucketVersioning"),
                "GET" when call.Has("lifecycle") => (LifecycleActions.GetAsync, "s3:GetLifecycleConfiguration"),
                "GET" when call.Query("list-type") == "2" => (ListActions.ListObjectsV2Async, "s3:ListBucket"),
                "GET" when call.Request.Query.Count == 0 || call.Has("prefix") || call.Has("marker") || call.Has("delimiter") || call.Has("max-keys") || call.Has("encoding-type") => (ListActions.ListObjectsAsync, "s3:ListBucket"),
                "PUT" when call.Has("encryption") => (BucketActions.PutEncryptionAsync, "s3:PutEncryptionConfiguration"),
                "PUT" when call.Has("acl") => (BucketActions.PutAclAsync, "s3:PutBucketAcl"),
                "PUT" when call.Has("lifecycle") => (LifecycleActions.PutAsync, "s3:PutLifecycleConfiguration"),
                "PUT" when call.Has("policy") => (bucketPolicies.PutAsync, "s3:PutBucketPolicy"),
                "PUT" when call.Request.Query.Count == 0 => (BucketActions.CreateAsync, "s3:CreateBucket"),
                "HEAD" => (BucketActions.HeadAsync, "s3:ListBucket"),
                "DELETE" when call.Has("encryption") => (BucketActions.DeleteEncryptionAsync, "s3:PutEncryptionConfiguration"),
                "DELETE" when call.Has("lifecycle") => (LifecycleActions.DeleteAsync, "s3:PutLifecycleConfiguration"),
                "DELETE" when call.Has("policy") => (bucketPolicies.DeleteAsync, "s3:DeleteBucketPolicy"),
                "DELETE" when call.Request.Query.Count == 0 => (bucketPolicies.DeleteBucketAsync, "s3:DeleteBucket"),
                "POST" when call.Has("delete") => (ObjectActions.DeleteObjectsAsync, null),
                _ => (NotImplemented, "s3:*"),
            };
        }

        return method switch
        {
            "PUT" when call.Has("uploadId") && call.Header("x-amz-copy-source") is not null => (MultipartActions.UploadPartCopyAsync, "s3:PutObject"),
            "PUT" when call.Has("uploadId") => (MultipartActions.UploadPartAsync, "s3:PutObject"),
            "PUT" when call.Has("tagging") => (ObjectActions.PutTaggingAsync, "s3:PutObjectTagging"),
            "PUT" when call.Has("acl") => (ObjectActions.PutAclAsync, "s3:PutObjectAcl"),
            "PUT" when call.Header("x-amz-copy-source") is not null => (ObjectActions.CopyAsync, "s3:PutObject"),
            "PUT" => (ObjectActions.PutAsync, "s3:PutObject"),
            "GET" when call.Has("uploadId") => (MultipartActions.ListPartsAsync, "s3:ListMultipartUploadParts"),
            "GET" when call.Has("tagging") => (ObjectActions.GetTaggingAsync, "s3:GetObjectTagging"),
            "GET" when call.Has("attributes") => (ObjectActions.GetAttributesAsync, "s3:GetObjectAttributes"),
            "GET" when call.Has("acl") => (ObjectActions.GetAclAsync, "s3:GetObjectAcl"),
            "GET" => (ObjectActions.GetAsync, "s3:GetObject"),
            "HEAD" => (ObjectActions.HeadAsync, "s3:GetObject"),
            "DELETE" when call.Has("uploadId") => (MultipartActions.AbortAsync, "s3:AbortMultipartUpload"),
            "DELETE" when call.Has("tagging") => (ObjectActions.DeleteTaggingAsync, "s3:DeleteObjectTagging"),
            "DELETE" => (ObjectActions.DeleteAsync, "s3:DeleteObject"),
            "POST" when call.Has("uploads") => (MultipartActions.CreateAsync, "s3:PutObject"),
            "POST" when call.Has("uploadId") => (MultipartActions.CompleteAsync, "s3:PutObject"),
            _ => (NotImplemented, "s3:*"),
        };
    }

    private static Task NotImplemented(S3Call call) =>
        throw new ObjectStoreException("NotImplemented", "A header or query you provided implies functionality that is not implemented.", 501);

    private static async Task WriteErrorAsync(HttpContext context, int status, string code, string message, string resource, string requestId, string? etag = null)
    {
        // Forget the headers of an answer that was being prepared (an object's ETag and length).
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.Headers["x-amz-request-id"] = requestId;
        if (etag is not null)
        {
            context.Response.Headers.ETag = etag;
        }

        // A HEAD answer and a 304 have no body; the status says it all.
        if (HttpMethods.IsHead(context.Request.Method) || status == 304)
        {
            context.Response.ContentLength = 0;
            return;
        }

        var xml = new StringBuilder(256)
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>").Append(SecurityElement.Escape(code))
            .Append("</Code><Message>").Append(SecurityElement.Escape(message))
            .Append("</Message><Resource>").Append(SecurityElement.Escape(resource))
            .Append("</Resource><RequestId>").Append(requestId)
            .Append("</RequestId></Error>")
            .ToString();
        var bytes = Encoding.UTF8.GetBytes(xml);
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
