using System.Buffers;
using System.Text.Json;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam;
using AmiVault.IO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.Ssm;

/// <summary>
/// AWS Systems Manager's Parameter Store (JSON 1.1: POST /, X-Amz-Target: AmazonSSM.Operation), the subset that AMI
/// aliases need. Errors are 400 with the shape name in the body's __type, as `aws ssm` and boto3 read them.
/// </summary>
internal sealed class SsmEndpoint(ParameterStore store, Authorizer authorizer, ServerContext server, ILogger<SsmEndpoint> logger) : IProtocolEndpoint
{
    private const string TargetPrefix = "AmazonSSM.";
    private const int MaxBody = 64 << 10;

    public string Service => "ssm";

    public long MaxBufferedBody => MaxBody;

    public bool Claims(HttpRequest request) =>
        request.Headers["X-Amz-Target"].ToString().StartsWith(TargetPrefix, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context, RequestIdentity identity)
    {
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        try
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            if (context.Request.Method != HttpMethods.Post || !target.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                throw new SsmException("UnknownOperationException", "SSM operations are POST / with X-Amz-Target: AmazonSSM.<Operation>.");
            }

            var request = SsmRequest.Parse(await ReadBodyAsync(context));
            var answer = await InvokeAsync(context, target[TargetPrefix.Length..], request, identity);
            await WriteAsync(context, 200, answer);
        }
        catch (SsmException e) when (!context.Response.HasStarted)
        {
            logger.LogInformation("SSM {Type}: {Message}", e.Type, e.Message);
            await WriteErrorAsync(context, e);
        }
    }

    /// <summary>
    /// Authorizes and runs one operation for an authenticated caller; refusals are thrown as <see cref="SsmException"/>,
    /// denials as <see cref="AccessDeniedException"/>. The wire requests and the web console both come through here.
    /// </summary>
    public Task<Action<Utf8JsonWriter>> InvokeAsync(HttpContext context, string operation, SsmRequest request, RequestIdentity identity)
    {
        authorizer.Demand(identity, context, "ssm:" + operation, Resources(request, identity.Account.Id));
        return store.RunAsync(operation, request, identity, context.RequestAborted);
    }

    public Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure) =>
        WriteErrorAsync(context, failure.Kind switch
        {
            AuthFailureKind.ContentHashMismatch or AuthFailureKind.BodyTooLarge => SsmException.Validation(failure.Message),
            AuthFailureKind.UnknownAccessKey => new SsmException("UnrecognizedClientException", failure.Message),
            _ => new SsmException(failure.Kind == AuthFailureKind.SignatureMismatch ? "InvalidSignatureException" : "AccessDeniedException", failure.Message),
        });

    public Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied) =>
        WriteErrorAsync(context, new SsmException("AccessDeniedException", denied.Message));

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, new SsmException("InternalServerError", "An internal error occurred.", 500));

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBody);
        try
        {
            var length = await BoundedBody.ReadAsync(context.Request.Body, buffer.AsMemory(0, MaxBody), context.RequestAborted);
            return length >= 0 ? buffer.AsSpan(0, length).ToArray() : throw SsmException.Validation($"The request body is larger than {MaxBody} bytes.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The parameters a request names (Name, Names, Path; a version or label selector after ':' left out), as
    /// arn:partition:ssm:region:account:parameter/name; "*" for those naming none (DescribeParameters).
    /// </summary>
    private List<string> Resources(SsmRequest request, string accountId)
    {
        var names = request.Strings("Names", 100, ParameterNames.MaxNameLength + 110);
        foreach (var member in (string[])["Name", "Path", "ResourceId"])
        {
            if (request.String(member, ParameterNames.MaxNameLength + 110) is { } name)
            {
                names.Add(name);
            }
        }

        return [.. names.Select(n => $"arn:{server.Partition}:ssm:{server.Region}:{accountId}:parameter/{n.Split(':')[0].TrimStart('/')}")];
    }

    private static Task WriteErrorAsync(HttpContext context, SsmException error)
    {
        context.Response.Headers["x-amzn-ErrorType"] = error.Type;
        return WriteAsync(context, error.Status, json =>
        {
            json.WriteString("__type", error.Type);
            json.WriteString("message", error.Message);
        });
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/x-amz-json-1.1";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
