using System.Runtime.ExceptionServices;

namespace AmiVault.Resilience;

/// <summary>
/// The one retry mechanism of every call AmiVault makes to another service: our EBS client, the external S3 object
/// store of the server and of the CLI (copy, sync, inspect), and the copier's steps. An attempt is bounded by the
/// attempt timeout; a transient failure (<see cref="TransientFailures"/>) is retried after a full-jitter exponential
/// backoff (uniform from 0 to min(max, base·2^(n-1))), or after the server's Retry-After when that is longer; a
/// permanent one is thrown at once; nothing starts past the call's deadline. Credentials that expired are refreshed
/// once (<see cref="RefreshCredentials"/>) and the attempt repeated at once, when they really changed.
/// <para>
/// Policies nest without multiplying: inside an attempt of another policy (a copier step that GETs and PUTs) a
/// policy makes one attempt and leaves retrying, timing and backoff to the outer one, which owns the whole step;
/// only a credential refresh stays with the inner policy, whose client the credentials belong to.
/// </para>
/// </summary>
internal sealed class ResiliencePolicy
{
    private static readonly AsyncLocal<RetryAttempt?> Current = new();

    private readonly RetryOptions _options;

    public ResiliencePolicy(RetryOptions options)
    {
        _options = options.Checked("");
    }

    /// <summary>What the calls are to, for messages: "EBS at https://…", "S3 at http://…".</summary>
    public string Target { get; init; } = "the service";

    /// <summary>
    /// Asked when the credentials were refused as expired or unknown: reload them, and answer whether they changed
    /// since the time given, when the refused attempt began (only then is the call repeated). Null when the
    /// credentials cannot change (keys given as such).
    /// </summary>
    public Func<DateTimeOffset, CancellationToken, Task<bool>>? RefreshCredentials { get; init; }

    /// <summary>Told of every retry, so a stuck transfer is visible in the log.</summary>
    public Action<RetryEvent>? OnRetry { get; init; }

    public RetryOptions Options => _options;

    /// <summary>The attempt being made by the policy this code runs under, if any.</summary>
    public static RetryAttempt? CurrentAttempt => Current.Value;

    /// <summary>A policy that makes one attempt (for calls whose body cannot be sent twice), still bounded and classified.</summary>
    public ResiliencePolicy Once() => new(new RetryOptions
    {
        MaxAttempts = 1, AttemptTimeoutSeconds = _options.AttemptTimeoutSeconds, DeadlineSeconds = _options.DeadlineSeconds,
        BaseDelaySeconds = _options.BaseDelaySeconds, MaxDelaySeconds = _options.MaxDelaySeconds,
    })
    {
        Target = Target, RefreshCredentials = RefreshCredentials, OnRetry = OnRetry,
    };

    public async Task ExecuteAsync(string operation, Func<CancellationToken, Task> attempt, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(operation, async token =>
        {
            await attempt(token);
            return true;
        }, cancellationToken);

    /// <param name="operation">What is being done, for messages ("GET bucket/key").</param>
    /// <param name="attempt">One attempt; it must honour the token it is given (the attempt timeout cancels it).</param>
    public async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken = default)
    {
        if (Current.Value is not null)
        {
            return await InsideAnotherAsync(attempt, cancellationToken);
        }

        var start = TimeProvider.System.GetTimestamp();
        var refreshed = false;
        Exception? last = null;
        for (var number = 1; ; number++)
        {
            var left = _options.Deadline - TimeProvider.System.GetElapsedTime(start);
            if (left <= TimeSpan.Zero && last is not null)
            {
                // The wait ran past the deadline (a late timer): no attempt starts after it.
                throw GiveUp(operation, last, timedOut: false, left, number - 1);
            }

            var timeout = left < _options.AttemptTimeout ? left : _options.AttemptTimeout;
            using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptToken.CancelAfter(timeout);
            var context = new RetryAttempt(number);
            var began = DateTimeOffset.UtcNow;
            Exception failure;
            try
            {
                Current.Value = context;
                return await attempt(attemptToken.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e;
            }
            finally
            {
                Current.Value = null;
            }

            var timedOut = attemptToken.IsCancellationRequested;
            var kind = timedOut ? FailureKind.Transient : TransientFailures.Classify(failure);
            if (kind == FailureKind.CredentialsExpired && !refreshed && RefreshCredentials is { } refresh && await refresh(began, cancellationToken))
            {
                // Not counted against the attempts: it is the first attempt with these credentials.
                refreshed = true;
                number--;
                OnRetry?.Invoke(new RetryEvent(operation, number + 1, failure, kind, TimeSpan.Zero));
                continue;
            }

            if (kind != FailureKind.Transient || number >= _options.MaxAttempts)
            {
                throw GiveUp(operation, failure, timedOut, timeout, number);
            }

            var delay = Backoff(number);
            if (context.RetryAfter is { } asked && asked > delay)
            {
                delay = asked;
            }

            if (TimeProvider.System.GetElapsedTime(start) + delay >= _options.Deadline)
            {
                throw GiveUp(operation, failure, timedOut, timeout, number);
            }

            last = failure;
            OnRetry?.Invoke(new RetryEvent(operation, number, failure, kind, delay));
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>Full jitter: uniform from zero to the exponential ceiling, so that many clients that failed together spread out.</summary>
    public TimeSpan Backoff(int failedAttempt)
    {
        var ceiling = Math.Min(_options.BaseDelay.TotalMilliseconds * Math.Pow(2, failedAttempt - 1), _options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>One attempt under the outer policy's attempt; only expired credentials of this policy's client are handled here.</summary>
    private async Task<T> InsideAnotherAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var began = DateTimeOffset.UtcNow;
        try
        {
            return await attempt(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && TransientFailures.Classify(e) == FailureKind.CredentialsExpired && RefreshCredentials is not null)
        {
            if (!await RefreshCredentials(began, cancellationToken))
            {
                throw;
            }
        }

        return await attempt(cancellationToken);
    }

    /// <summary>The failure to report: the last one as it was, or a timeout saying how long each attempt waited.</summary>
    private Exception GiveUp(string operation, Exception failure, bool timedOut, TimeSpan timeout, int attempts)
    {
        if (timedOut)
        {
            return new TimeoutException(
                $"{operation} at {Target} got no answer within {timeout.TotalSeconds:0.#} s (attempt {attempts} of {_options.MaxAttempts}, deadline {_options.DeadlineSeconds:0.#} s).",
                failure);
        }

        ExceptionDispatchInfo.Capture(failure).Throw();
        return failure;
    }
}
