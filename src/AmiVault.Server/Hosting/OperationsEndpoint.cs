using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Configuration;
using AmiVault.ObjectStore;
using AmiVault.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Hosting;

/// <summary>
/// What a load balancer, an orchestrator and Prometheus ask a node, on the API port without signing, as they do:
/// GET /healthz (the process serves), GET /readyz (it can do its work: catalog reachable at this release's schema,
/// block store reachable, an external bucket store answering) and GET /metrics (Prometheus text). Only unsigned GETs of exactly these paths come here, so
/// a signed request for a bucket named "metrics" still reaches S3. They reveal counts and timings, never names,
/// ids or keys.
/// </summary>
internal sealed class OperationsEndpoint(
    ICatalogHealth catalog, ITaskCatalog tasks, ServerMetrics metrics, ServerContext server, PackBlockStore blocks, IObjectStoreProvider buckets, AccountDirectory accounts)
{
    /// <summary>A probe of S3 that has not answered by then counts as unreachable: a readiness check must answer quickly.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

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
        // The three at once: an unreachable S3 costs the probe timeout once, not once per store.
        var catalogProblem = catalog.ProblemAsync(cancellationToken);
        var blocksProblem = ProbeAsync(blocks.ProblemAsync, cancellationToken);
        var bucketsProblem = server.Options.Buckets.Backend == "external" && accounts.All.FirstOrDefault() is { } account
            ? ProbeAsync(c => BucketsProblemAsync(buckets.ForAccount(account.Id), c), cancellationToken)
            : Task.FromResult<string?>(null);
        var problems = new List<string>();
        foreach (var (part, problem) in new[] { ("catalog", catalogProblem), ("blocks", blocksProblem), ("buckets", bucketsProblem) })
        {
            if (await problem is { } text)
            {
                problems.Add($"{part}: {text}");
            }
        }

        return problems;
    }

    /// <summary>The external store answers a bucket listing with the credentials requests use.</summary>
    private async Task<string?> BucketsProblemAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.ListBucketsAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"the S3 store at {server.Options.Buckets.EndpointUrl ?? "AWS"} cannot be reached: {e.Message}";
        }
    }

    private static async Task<string?> ProbeAsync(Func<CancellationToken, Task<string?>> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            return await probe(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {ProbeTimeout.TotalSeconds:0} s.";
        }
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
