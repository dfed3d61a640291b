using AmiVault.Auth;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.Ec2;

/// <summary>One EC2 Query request being served: its parameters, its caller, and the way to answer.</summary>
internal sealed class Ec2Call(HttpContext context, Ec2Parameters parameters, RequestIdentity identity, string action, string requestId)
{
    public Ec2Parameters Parameters { get; } = parameters;

    public RequestIdentity Identity { get; } = identity;

    public string AccountId => Identity.Account.Id;

    public string Action { get; } = action;

    public string RequestId { get; } = requestId;

    public CancellationToken Aborted => context.RequestAborted;

    /// <summary>
    /// Call once the request is known to be valid and permitted, before anything changes: with DryRun set it ends
    /// the request with EC2's DryRunOperation (HTTP 412), as AWS does.
    /// </summary>
    public void EndIfDryRun()
    {
        if (Parameters.Bool("DryRun") == true)
        {
            throw new Ec2Exception("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", StatusCodes.Status412PreconditionFailed);
        }
    }

    /// <summary>Answers with `&lt;{Action}Response&gt;` holding requestId and whatever <paramref name="body"/> writes.</summary>
    public async Task RespondAsync(Action<Ec2Xml> body)
    {
        using var xml = new Ec2Xml(Action + "Response", RequestId);
        body(xml);
        var bytes = xml.ToArray();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>The answer of actions with no modeled output (CreateTags, DeleteSnapshot…): `&lt;return&gt;true&lt;/return&gt;`.</summary>
    public Task RespondTrueAsync() => RespondAsync(x => x.Value("return", true));
}
