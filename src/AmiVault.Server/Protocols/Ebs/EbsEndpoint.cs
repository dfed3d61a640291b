using AmiVault.Telemetry;
using System.Buffers;
using System.Text.Json;
using AmiVault.Auth;
using AmiVault.Blocks;
using AmiVault.Configuration;
using AmiVault.Iam;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// The EBS direct APIs (REST-JSON under /snapshots). Errors carry the shape name both in x-amzn-ErrorType and in
/// the body's __type, with Message and Reason, at the statuses of the EBS model.
/// </summary>
internal sealed class EbsEndpoint(IEnumerable<IEbsOperation> operations, Authorizer authorizer, ServerContext server, ILogger<EbsEndpoint> logger) : IProtocolEndpoint
{
    private readonly Dictionary<EbsOperation, IEbsOperation> _operations = operations.ToDictionary(o => o.Operation);

    public string Service => "ebs";

    /// <summary>A block, for clients that sign its hash instead of sending UNSIGNED-PAYLOAD.</summary>
    public long MaxBufferedBody => IBlockStore.BlockSize;

    public bool Claims(HttpRequest request) =>
        request.Path.StartsWithSegments(EbsRoute.Prefix, StringComparison.Ordinal) && EbsRoute.Match(request.Method, request.Path) is not null;

    public async Task HandleAsync(HttpContext context, RequestIdentity identity)
    {
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        try
        {
            var route = EbsRoute.Match(context.Request.Method, context.Request.Path)
                ?? throw new EbsException("UnknownOperationException", 404, $"No EBS operation is {context.Request.Method} {context.Request.Path}.");
            // StartSnapshot creates a snapshot, so it is authorized on any snapshot, as AWS does (snapshot/*).
            authorizer.Demand(identity, context, "ebs:" + route.Operation, [ResourceArns.Snapshot(server, route.SnapshotId ?? "*")]);
            RequestAction.Set(context, route.Operation.ToString());
            await _operations[route.Operation].ExecuteAsync(new EbsCall(context, identity, route));
        }
        catch (EbsException e) when (!context.Response.HasStarted)
        {
            logger.LogInformation("EBS {Type} {Reason}: {Message}", e.Type, e.Reason, e.Message);
            await WriteErrorAsync(context, e);
        }
    }

    public Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure) =>
        WriteErrorAsync(context, failure.Kind switch
        {
            AuthFailureKind.ContentHashMismatch or AuthFailureKind.BodyTooLarge => EbsException.Validation(EbsReason.InvalidParameterValue, failure.Message),
            _ => EbsException.AccessDenied(failure.Message),
        });

    public Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied) =>
        WriteErrorAsync(context, EbsException.AccessDenied(denied.Message));

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, new EbsException("InternalServerException", 500, "An internal error occurred."));

    private static async Task WriteErrorAsync(HttpContext context, EbsException error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("__type", error.Type);
            json.WriteString("Message", error.Message);
            if (error.Reason is not null)
            {
                json.WriteString("Reason", error.Reason);
            }

            json.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = error.Status;
        response.Headers["x-amzn-ErrorType"] = error.Type;
        if (!response.Headers.ContainsKey("x-amzn-RequestId"))
        {
            response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        }

        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
