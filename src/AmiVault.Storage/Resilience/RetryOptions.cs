namespace AmiVault.Resilience;

/// <summary>
/// How patient one kind of outbound call is (<see cref="ResiliencePolicy"/>). Seconds as numbers so that the server's
/// configuration (file, environment, flags) can set them, e.g. `Buckets:Retry:AttemptTimeoutSeconds`.
/// </summary>
internal sealed class RetryOptions
{
    /// <summary>Attempts per call, the first included (1: no retry). A credential refresh adds one attempt of its own.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long one attempt (connect, send, answer read as far as the caller reads it) may take before it is abandoned.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 120;

    /// <summary>The whole call, every attempt and wait included: no attempt starts, and no wait is begun, past it.</summary>
    public double DeadlineSeconds { get; set; } = 600;

    /// <summary>The first backoff's ceiling; it doubles per retry up to <see cref="MaxDelaySeconds"/>, and the wait is drawn from 0 to it.</summary>
    public double BaseDelaySeconds { get; set; } = 0.2;

    public double MaxDelaySeconds { get; set; } = 10;

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    public TimeSpan Deadline => TimeSpan.FromSeconds(DeadlineSeconds);

    public TimeSpan BaseDelay => TimeSpan.FromSeconds(BaseDelaySeconds);

    public TimeSpan MaxDelay => TimeSpan.FromSeconds(MaxDelaySeconds);

    /// <summary>The settings, or what is wrong with them in the words of <paramref name="prefix"/> (the configuration section).</summary>
    public RetryOptions Checked(string prefix)
    {
        var problems = new List<string>();
        if (MaxAttempts is < 1 or > 100)
        {
            problems.Add($"{prefix}MaxAttempts ({MaxAttempts}) is not from 1 to 100");
        }

        if (!(AttemptTimeoutSeconds > 0) || !(DeadlineSeconds > 0))
        {
            problems.Add($"{prefix}AttemptTimeoutSeconds ({AttemptTimeoutSeconds}) and {prefix}DeadlineSeconds ({DeadlineSeconds}) must be above 0");
        }

        if (!(BaseDelaySeconds >= 0) || !(MaxDelaySeconds >= BaseDelaySeconds))
        {
            problems.Add($"{prefix}BaseDelaySeconds ({BaseDelaySeconds}) must be at least 0 and at most {prefix}MaxDelaySeconds ({MaxDelaySeconds})");
        }

        return problems.Count == 0 ? this : throw new ArgumentException(string.Join("; ", problems) + ".");
    }
}
