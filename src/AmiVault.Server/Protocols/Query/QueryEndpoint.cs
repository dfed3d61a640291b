using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiVault.Protocols.Query;

/// <summary>
/// The AWS Query protocol of IAM and STS: form-encoded `POST /`, XML answers and errors in the service's namespace.
/// One instance per service; routed by the SigV4 service name. Every action is authorized here, before it runs.
/// </summary>
internal sealed class QueryEndpoint : IProtocolEndpoint
{
    private const int MaxBody = 256 * 1024;
    private const int MaxParameters = 1024;

    private readonly Dictionary<string, QueryAction> _actions;
    private readonly string _namespace;
    private readonly string _version;
    private readonly Authorizer _authorizer;
    private readonly ServerContext _server;
    private readonly ILogger _logger;

    public QueryEndpoint(string service, string ns, string version, IEnumerable<IQueryActionSet> sets, Authorizer authorizer, ServerContext server, ILogger logger)
    {
        Service = service;
        _namespace = ns;
        _version = version;
        _actions = sets.Where(s => s.Service == service).SelectMany(s => s.Actions).ToDictionary(a => a.Name, StringComparer.Ordinal);
        _authorizer = authorizer;
        _server = server;
        _logger = logger;
    }

    public string Service { get; }

    public long MaxBufferedBody => MaxBody;

    /// <summary>Unsigned requests are EC2's to answer (the other Query protocol on `/`); these are only reached signed.</summary>
    public bool Claims(HttpRequest request) => false;

    public async Task HandleAsync(HttpContext context, RequestIdentity identity)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            var parameters = await FormParameters.ReadAsync(context.Request, MaxBody, MaxParameters, m => QueryException.Validation(m));
            var name = parameters.GetValueOrDefault("Action");
            if (string.IsNullOrEmpty(name))
            {
                throw QueryException.MissingParameter("Action");
            }

            if (!_actions.TryGetValue(name, out var action))
            {
                throw new QueryException("InvalidAction", $"Could not find operation {name} for version {_version}");
            }

            var call = new QueryCall(context, parameters, identity, name, requestId, _namespace, _server);
            if (!action.NeedsNoPermission)
            {
                _authorizer.Demand(identity, context, Service + ":" + name, action.Resources(call));
            }

            await action.ExecuteAsync(call);
        }
        catch (QueryException e) when (!context.Response.HasStarted)
        {
            _logger.LogInformation("{Service} {Code}: {Message}", Service, e.Code, e.Message);
            await WriteErrorAsync(context, e.Status, e.Code, e.Message, requestId);
        }
    }

    public Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure)
    {
        var (status, code) = failure.Kind switch
        {
            AuthFailureKind.Missing => (403, "MissingAuthenticationToken"),
            AuthFailureKind.UnknownAccessKey or AuthFailureKind.InvalidToken => (403, "InvalidClientTokenId"),
            AuthFailureKind.ExpiredToken => (403, "ExpiredToken"),
            AuthFailureKind.SignatureMismatch => (403, "SignatureDoesNotMatch"),
            AuthFailureKind.ClockSkew or AuthFailureKind.Expired => (403, "RequestExpired"),
            AuthFailureKind.BodyTooLarge => (400, "ValidationError"),
            _ => (400, "IncompleteSignature"),
        };
        return WriteErrorAsync(context, status, code, failure.Message, Guid.NewGuid().ToString());
    }

    public Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied) =>
        WriteErrorAsync(context, 403, "AccessDenied", denied.Message, Guid.NewGuid().ToString());

    public Task WriteInternalErrorAsync(HttpContext context) =>
        WriteErrorAsync(context, 500, "ServiceFailure", "An internal error occurred.", Guid.NewGuid().ToString());

    private async Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId)
    {
        using var xml = new QueryXml("ErrorResponse", _namespace);
        xml.Start("Error").Value("Type", status >= 500 ? "Receiver" : "Sender").Value("Code", code).Value("Message", message).End();
        xml.Value("RequestId", requestId);
        var bytes = xml.ToArray();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
