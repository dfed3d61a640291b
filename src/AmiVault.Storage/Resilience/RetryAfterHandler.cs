using System.Net.Http.Headers;

namespace AmiVault.Resilience;

/// <summary>
/// Sits in every outbound HTTP pipeline (our EBS client's, and the AWS SDK's through <see cref="RetryingHttpClientFactory"/>)
/// and hands an error answer's Retry-After to the <see cref="ResiliencePolicy"/> attempt under way, which waits at least
/// that long before the next attempt. The SDK turns the answer into an exception without its headers; this is how
/// the header still reaches the one place that decides on waiting.
/// </summary>
internal sealed class RetryAfterHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 400 && ResiliencePolicy.CurrentAttempt is { } attempt && Delay(response.Headers.RetryAfter) is { } delay)
        {
            attempt.AskedToWait(delay);
        }

        return response;
    }

    /// <summary>Retry-After as seconds or as an HTTP date.</summary>
    public static TimeSpan? Delay(RetryConditionHeaderValue? retryAfter) =>
        retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
}
