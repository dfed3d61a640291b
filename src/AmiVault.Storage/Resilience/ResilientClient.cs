using System.Collections.Concurrent;
using System.Reflection;

namespace AmiVault.Resilience;

/// <summary>
/// An AWS SDK client seen through its service interface (IAmazonEC2, IAmazonSimpleSystemsManagement…) whose every
/// asynchronous call runs through a <see cref="ResiliencePolicy"/>: each attempt is the SDK call made again with the
/// attempt's token (the request object is marshalled anew each time), so the client's own retries must be off
/// (<see cref="RetryingHttpClientFactory.HandOver{T}"/>). Anything else (Dispose, Config, paginators) reaches the
/// client as it is. One wrapper for every SDK service the CLI calls, rather than a retry around each call site.
/// Not sealed: <see cref="DispatchProxy"/> makes its proxy type by deriving from this one.
/// </summary>
internal class ResilientClient<TService> : DispatchProxy
    where TService : class
{
    private static readonly MethodInfo Run = typeof(ResilientClient<TService>).GetMethod(nameof(RunAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    /// <summary>Per interface method: the <see cref="RunAsync"/> for its result type, or null for a method passed through.</summary>
    private static readonly ConcurrentDictionary<MethodInfo, MethodInfo?> Runners = new();

    private TService _client = null!;
    private ResiliencePolicy _policy = null!;

    public static TService Wrap(TService client, ResiliencePolicy policy)
    {
        var proxy = Create<TService, ResilientClient<TService>>();
        var self = (ResilientClient<TService>)(object)proxy;
        self._client = client;
        self._policy = policy;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var runner = Runners.GetOrAdd(targetMethod, m =>
            m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            && m.GetParameters() is [.., { ParameterType: var last }] && last == typeof(CancellationToken)
                ? Run.MakeGenericMethod(m.ReturnType.GetGenericArguments()[0])
                : null);
        return runner is null
            ? Call(targetMethod, _client, args)
            : Call(runner, this, [targetMethod, args]);
    }

    private Task<T> RunAsync<T>(MethodInfo method, object?[] args) =>
        _policy.ExecuteAsync(method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name, attempt =>
        {
            var withToken = (object?[])args.Clone();
            withToken[^1] = attempt;
            return (Task<T>)Call(method, _client, withToken)!;
        }, (CancellationToken)args[^1]!);

    /// <summary>The method's own exception, not reflection's wrapper around it.</summary>
    private static object? Call(MethodInfo method, object target, object?[]? args) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
}
