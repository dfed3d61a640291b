namespace AmiVault.Tests.Console;

/// <summary>A clock a test moves forward, to see what a server does once time has passed.</summary>
internal sealed class MovableTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
