using AmiVault.Telemetry;
using System.Security;
using System.Text;
using AmiVault.Auth;
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
internal sealed class S3Endpoint(EmbeddedObjectStoreProvider stores, ServerContext server, ILogger<S3Endpoint> logger) : IProtocolEndpoint
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
        var call = new S3Call(context, identity, target, stores.ForAccount(identity.Account.Id), server.Region);
        try
        {
            // Every bucket a caller can reach is its own, so naming any other owner can only be AccessDenied.
            if (call.Header("x-amz-expected-bucket-owner") is { } expectedOwner && expectedOwner != identity.Account.Id)
            {
                throw ObjectStoreErrors.AccessDenied(target.Bucket);
            }

            var action = Route(call);
            RequestAction.Set(context, action.Method.Name.EndsWith("Async", StringComparison.Ordinal) ? action.Method.Name[..^"Async".Length] : "Other");
            await action(call);
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

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, 500, "InternalError", "We encountered an internal error. Please try again.", context.Request.Path, Guid.NewGuid().ToString("N")[..16].ToUpperInvariant());

    private static Func<S3Call, Task> Route(S3Call call)
    {
        var method = call.Request.Method;
        if (call.Target.Bucket is null)
        {
            return HttpMethods.IsGet(method) ? BucketActions.ListBucketsAsync : NotImplemented;
        }

        if (call.Target.Key is null)
        {
            return method switch
            {
                "GET" when call.Has("location") => BucketActions.GetLocationAsync,
                "GET" when call.Has("encryption") => BucketActions.GetEncryptionAsync,
                "GET" when call.Has("acl") => BucketActions.GetAclAsync,
                "GET" when call.Has("uploads") => ListActions.ListMultipartUploadsAsync,
                "GET" when call.Has("versioning") => BucketActions.GetVersioningAsync,
                "GET" when call.Has("lifecycle") => LifecycleActions.GetAsync,
                "GET" when call.Query("list-type") == "2" => ListActions.ListObjectsV2Async,
                "GET" when call.Request.Query.Count == 0 || call.Has("prefix") || call.Has("marker") || call.Has("delimiter") || call.Has("max-keys") || call.Has("encoding-type") => ListActions.ListObjectsAsync,
                "PUT" when call.Has("encryption") => BucketActions.PutEncryptionAsync,
                "PUT" when call.Has("acl") => BucketActions.PutAclAsync,
                "PUT" when call.Has("lifecycle") => LifecycleActions.PutAsync,
                "PUT" when call.Has("policy") => Denied,
                "PUT" when call.Request.Query.Count == 0 => BucketActions.CreateAsync,
                "HEAD" => BucketActions.HeadAsync,
                "DELETE" when call.Has("encryption") => BucketActions.DeleteEncryptionAsync,
                "DELETE" when call.Has("lifecycle") => LifecycleActions.DeleteAsync,
                "DELETE" when call.Request.Query.Count == 0 => BucketActions.DeleteAsync,
                "POST" when call.Has("delete") => ObjectActions.DeleteObjectsAsync,
                _ => NotImplemented,
            };
        }

        return method switch
        {
            "PUT" when call.Has("uploadId") && call.Header("x-amz-copy-source") is not null => MultipartActions.UploadPartCopyAsync,
            "PUT" when call.Has("uploadId") => MultipartActions.UploadPartAsync,
            "PUT" when call.Has("tagging") => ObjectActions.PutTaggingAsync,
            "PUT" when call.Has("acl") => ObjectActions.PutAclAsync,
            "PUT" when call.Header("x-amz-copy-source") is not null => ObjectActions.CopyAsync,
            "PUT" => ObjectActions.PutAsync,
            "GET" when call.Has("uploadId") => MultipartActions.ListPartsAsync,
            "GET" when call.Has("tagging") => ObjectActions.GetTaggingAsync,
            "GET" when call.Has("attributes") => ObjectActions.GetAttributesAsync,
            "GET" when call.Has("acl") => ObjectActions.GetAclAsync,
            "GET" => ObjectActions.GetAsync,
            "HEAD" => ObjectActions.HeadAsync,
            "DELETE" when call.Has("uploadId") => MultipartActions.AbortAsync,
            "DELETE" when call.Has("tagging") => ObjectActions.DeleteTaggingAsync,
            "DELETE" => ObjectActions.DeleteAsync,
            "POST" when call.Has("uploads") => MultipartActions.CreateAsync,
            "POST" when call.Has("uploadId") => MultipartActions.CompleteAsync,
            _ => NotImplemented,
        };
    }

    private static Task NotImplemented(S3Call call) =>
        throw new ObjectStoreException("NotImplemented", "A header or query you provided implies functionality that is not implemented.", 501);

    /// <summary>Bucket policies could open a bucket to others; buckets here are private, always.</summary>
    private static Task Denied(S3Call call) => throw ObjectStoreErrors.AccessDenied(call.Bucket);

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
