using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Faults;

/// <summary>A fault <see cref="FaultProxy"/> is asked to do to the next <see cref="Remaining"/> requests <see cref="Where"/> matches.</summary>
internal sealed class FaultInjection(FaultKind kind, Func<HttpRequest, bool> where, int remaining)
{
    public FaultKind Kind { get; } = kind;

    public Func<HttpRequest, bool> Where { get; } = where;

    public int Remaining { get; set; } = remaining;
}
