using AmiVault.Telemetry;
using System.Text;
using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace AmiVault.Protocols.Ec2;

/// <summary>The EC2 Query protocol: form-encoded `POST /` (or GET with a query string), XML answers.</summary>
internal sealed class Ec2Endpoint(IEnumerable<IEc2Action> actions, Authorizer authorizer, ServerContext server, ILogger<Ec2Endpoint> logger) : IProtocolEndpoint
{
    /// <summary>UserData-free EC2 requests are small; UefiData (64,000 chars) is the largest member we take.</summary>
    private const int MaxBody = 1024 * 1024;
    private const int MaxParameters = 4096;

    private readonly Dictionary<string, IEc2Action> _actions = actions.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public string Service => "ec2";

    public long MaxBufferedBody => MaxBody;

    public bool Claims(HttpRequest request) =>
        request.Path == "/" && (request.HasFormContentType || request.Query.ContainsKey("Action"));

    public async Task HandleAsync(HttpContext context, RequestIdentity identity)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            var parameters = await ReadParametersAsync(context.Request);
            await InvokeAsync(context, parameters, identity, requestId);
        }
        catch (Ec2Exception e) when (!context.Response.HasStarted)
        {
            if (e.Code != "DryRunOperation")
            {
                logger.LogInformation("EC2 {Code}: {Message}", e.Code, e.Message);
            }

            await WriteErrorAsync(context, e.Status, e.Code, e.Message, requestId);
        }
    }

    /// <summary>
    /// Runs one EC2 action for an authenticated caller and writes its answer to <paramref name="context"/>'s response;
    /// refusals are thrown as <see cref="Ec2Exception"/>, denials as <see cref="AccessDeniedException"/>. The wire requests and the web console both come through
    /// here, so an action is checked and authorized the same way whoever asks.
    /// </summary>
    public async Task InvokeAsync(HttpContext context, IReadOnlyDictionary<string, string> parameters, RequestIdentity identity, string requestId)
    {
        var action = parameters.GetValueOrDefault("Action");
        if (string.IsNullOrEmpty(action))
        {
            throw new Ec2Exception("MissingAction", "The request must contain the parameter Action.");
        }

        if (!_actions.TryGetValue(action, out var handler))
        {
            throw new Ec2Exception("InvalidAction", $"The action {action} is not valid for this web service.");
        }

        RequestAction.Set(context, action);

        var version = parameters.GetValueOrDefault("Version");
        if (version is not null && version != "2016-11-15")
        {
            throw new Ec2Exception("NoSuchVersion", $"An invalid or unsupported API version '{version}' was specified.");
        }

        var ec2Parameters = new Ec2Parameters(parameters);
        authorizer.Demand(identity, context, "ec2:" + action, [.. handler.ResourceIds(ec2Parameters).Select(id => ResourceArns.Ec2(server, id))]);
        await handler.ExecuteAsync(new Ec2Call(context, ec2Parameters, identity, action, requestId));
    }

    public Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure)
    {
        var (status, code) = failure.Kind switch
        {
            AuthFailureKind.ClockSkew or AuthFailureKind.Expired or AuthFailureKind.ExpiredToken => (400, "RequestExpired"),
            AuthFailureKind.Missing => (401, "AuthFailure"),
            AuthFailureKind.BodyTooLarge => (400, "InvalidParameterValue"),
            AuthFailureKind.Malformed => (400, "IncompleteSignature"),
            _ => (401, "AuthFailure"),
        };
        return WriteErrorAsync(context, status, code, failure.Message, Guid.NewGuid().ToString());
    }

    public Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied) =>
        WriteErrorAsync(context, 403, "UnauthorizedOperation", denied.Message, Guid.NewGuid().ToString());

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, 500, "InternalError", "An internal error has occurred.", Guid.NewGuid().ToString());

    private static async Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId)
    {
        var xml = new StringBuilder(256)
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>")
            .Append(System.Security.SecurityElement.Escape(code))
            .Append("</Code><Message>")
            .Append(System.Security.SecurityElement.Escape(message))
            .Append("</Message></Error></Errors><RequestID>")
            .Append(requestId)
            .Append("</RequestID></Response>")
            .ToString();
        var bytes = Encoding.UTF8.GetBytes(xml);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static async Task<Dictionary<string, string>> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            Add(parameters, key, values);
        }

        if (HttpMethods.IsPost(request.Method))
        {
            // Refused at once, not after waiting for a body that may never come (the connection is then closed).
            if (request.ContentLength > MaxBody)
            {
                throw new Ec2Exception("InvalidParameterValue", $"The request body is larger than {MaxBody} bytes.");
            }

            using var body = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (body.Length + read > MaxBody)
                {
                    throw new Ec2Exception("InvalidParameterValue", $"The request body is larger than {MaxBody} bytes.");
                }

                body.Write(chunk, 0, read);
            }

            foreach (var (key, values) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length)))
            {
                Add(parameters, key, values);
            }
        }

        if (parameters.Count > MaxParameters)
        {
            throw new Ec2Exception("InvalidParameterValue", $"A request may carry at most {MaxParameters} parameters.");
        }

        return parameters;
    }

    /// <summary>
    /// A parameter given twice (in the body, or in both the query string and the body) is refused: taking either
    /// value would be a guess, and joining them (StringValues' ToString) would invent a value nobody sent.
    /// </summary>
    private static void Add(Dictionary<string, string> parameters, string key, StringValues values)
    {
        if (values.Count != 1 || !parameters.TryAdd(key, values[0] ?? ""))
        {
            throw new Ec2Exception("InvalidParameterValue", $"The parameter {key} is given more than once.");
        }
    }
}
