using AmiVault.Auth;
using AmiVault.Catalog;
using AmiVault.Configuration;
using AmiVault.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Hosting;

/// <summary>
/// What a load balancer, an orchestrator and Prometheus ask a node, on the API port without signing, as they do:
/// GET /healthz (the process serves), GET /readyz (it can do its work: catalog reachable at this release's schema,
/// block store present) and GET /metrics (Prometheus text). Only unsigned GETs of exactly these paths come here, so
/// a signed request for a bucket named "metrics" still reaches S3. They reveal counts and timings, never names,
/// ids or keys.
/// </summary>
internal sealed class OperationsEndpoint(ICatalogHealth catalog, ITaskCatalog tasks, ServerMetrics metrics, ServerContext server)
{
    public static bool Claims(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Path.Value is "/healthz" or "/readyz" or "/metrics"
        && !request.QueryString.HasValue
        && SigV4Request.PeekService(request) is null;

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        switch (context.Request.Path.Value)
        {
            case "/healthz":
                await WriteAsync(context, 200, "text/plain; charset=utf-8", "ok\n");
                break;
            case "/readyz":
                var problems = await ProblemsAsync(context.RequestAborted);
                await WriteAsync(context, problems.Count == 0 ? 200 : 503, "text/plain; charset=utf-8",
                    problems.Count == 0 ? "ready\n" : string.Concat(problems.Select(p => p + "\n")));
                break;
            default:
                var inProgress = new Dictionary<string, long>
                {
                    ["store"] = (await tasks.ListUnfinishedStoresAsync(context.RequestAborted)).Count,
                    ["restore"] = (await tasks.ListUnfinishedRestoresAsync(context.RequestAborted)).Count,
                };
                await WriteAsync(context, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.Render(inProgress));
                break;
        }
    }

    private async Task<List<string>> ProblemsAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (await catalog.ProblemAsync(cancellationToken) is { } catalogProblem)
        {
            problems.Add("catalog: " + catalogProblem);
        }

        // The local block store's packs (Blocks:Backend local): a folder that vanished (an unmounted volume) means
        // every block read fails. An S3 block store is not probed here yet.
        var blocks = Path.Combine(server.DataDir, "blocks", "packs");
        if (server.Options.Blocks.Backend == BlockOptions.Local && !Directory.Exists(blocks))
        {
            problems.Add($"blocks: the pack folder {blocks} is missing.");
        }

        return problems;
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync(body, context.RequestAborted);
        }
    }
}
