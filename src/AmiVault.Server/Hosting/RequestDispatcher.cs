using System.Diagnostics;
using AmiVault.Auth;
using AmiVault.Console;
using AmiVault.Iam;
using AmiVault.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using AmiVault.Protocols;

namespace AmiVault.Hosting;

/// <summary>
/// The one piece every request passes through: pick the protocol from the SigV4 scope (or, for a request that
/// is not signed, from its shape), authenticate, hand over; the protocol authorizes the action it parsed through
/// <see cref="Authorizer"/>, and a denial comes back here to be answered in the protocol's format. Failures are answered in the protocol's own format.
/// </summary>
internal sealed class RequestDispatcher(
    IEnumerable<IProtocolEndpoint> endpoints,
    SigV4Authenticator authenticator,
    ConsoleApp console,
    OperationsEndpoint operations,
    ServerMetrics metrics,
    ILogger<RequestDispatcher> logger)
{
    private readonly IProtocolEndpoint[] _endpoints = [.. endpoints];

    public async Task InvokeAsync(HttpContext context)
    {
        ConnectionFraming.Guard(context);
        if (OperationsEndpoint.Claims(context.Request))
        {
            // Health probes and scrapes, unsigned as those clients send them; not counted among the requests.
            await operations.InvokeAsync(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await ServeAsync(context);
        }
        finally
        {
            var protocol = ConsoleApp.Claims(context.Request) ? "console" : Route(context.Request).Service;
            metrics.RequestAnswered(protocol, RequestAction.Of(context), context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (ConsoleApp.Claims(context.Request))
        {
            // The web console signs its users in with a session cookie; it runs what they do through the same EC2 actions.
            await console.InvokeAsync(context);
            return;
        }

        var endpoint = Route(context.Request);
        try
        {
            var identity = await authenticator.AuthenticateAsync(context, endpoint.Service, endpoint.MaxBufferedBody);
            await endpoint.HandleAsync(context, identity);
        }
        catch (AuthFailureException failure) when (!context.Response.HasStarted)
        {
            logger.LogInformation("Rejected {Method} {Path}: {Kind} {Message}", context.Request.Method, context.Request.Path, failure.Kind, failure.Message);
            await endpoint.WriteAuthFailureAsync(context, failure);
        }
        catch (AccessDeniedException denied) when (!context.Response.HasStarted)
        {
            logger.LogInformation("Denied {Method} {Path}: {Message}", context.Request.Method, context.Request.Path, denied.Message);
            await endpoint.WriteAccessDeniedAsync(context, denied);
        }
        catch (Exception e) when (ClientWentAway(context, e))
        {
            // An ordinary event (a client stopped, a network dropped): nothing to investigate, and rarely anyone to
            // answer. A body Kestrel could not frame gets its bare 400, and the connection ends.
            logger.LogDebug("{Method} {Path}: the client went away mid-request ({Reason})", context.Request.Method, context.Request.Path, e.Message);
            if (e is BadHttpRequestException bad)
            {
                if (!context.Response.HasStarted)
                {
                    context.Response.StatusCode = bad.StatusCode;
                    context.Response.Headers.Connection = "close";
                }
            }
            else
            {
                // A reset connection has nothing left to drain or answer; without this Kestrel would try to drain it.
                context.Abort();
            }
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled failure serving {Method} {Path}", context.Request.Method, context.Request.Path);
            await endpoint.WriteInternalErrorAsync(context);
        }
    }

    /// <summary>
    /// The connection ended under the request: aborted, reset, or closed before the body's declared end (Kestrel's
    /// BadHttpRequestException, which a protocol that reads bodies itself may already have answered).
    /// </summary>
    private static bool ClientWentAway(HttpContext context, Exception e)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is ConnectionResetException or BadHttpRequestException)
            {
                return true;
            }
        }

        return false;
    }

    private IProtocolEndpoint Route(HttpRequest request)
    {
        var service = SigV4Request.PeekService(request);
        return _endpoints.FirstOrDefault(e => e.Service == service)
            ?? _endpoints.FirstOrDefault(e => e.Claims(request))
            ?? _endpoints[^1];
    }
}
