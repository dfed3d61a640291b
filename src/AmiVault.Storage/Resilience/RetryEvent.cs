namespace AmiVault.Resilience;

/// <summary>One failed attempt that is followed by another: what failed, and how long the policy waits first.</summary>
internal sealed record RetryEvent(string Operation, int Attempt, Exception Failure, FailureKind Kind, TimeSpan Delay);
