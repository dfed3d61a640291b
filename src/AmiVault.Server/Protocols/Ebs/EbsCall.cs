using System.Buffers;
using System.Text.Json;
using AmiVault.Auth;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.Ebs;

/// <summary>One EBS request being served: its route, caller, headers and query, and the way to answer in JSON.</summary>
internal sealed class EbsCall(HttpContext context, RequestIdentity identity, EbsRoute route)
{
    public HttpContext Http { get; } = context;

    public EbsRoute Route { get; } = route;

    public string AccountId => identity.Account.Id;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The snapshot id from the path, checked for shape.</summary>
    public string SnapshotId => EbsValidation.SnapshotId(Route.SnapshotId);

    public string? Header(string name)
    {
        var values = Http.Request.Headers[name];
        return values.Count == 0 ? null : values.ToString();
    }

    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count == 0 ? null : values.ToString();
    }

    public async Task RespondJsonAsync(int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        Http.Response.StatusCode = status;
        Http.Response.ContentType = "application/json";
        Http.Response.ContentLength = buffer.WrittenCount;
        await Http.Response.Body.WriteAsync(buffer.WrittenMemory, Aborted);
    }
}
