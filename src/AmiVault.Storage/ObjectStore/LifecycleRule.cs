namespace AmiVault.ObjectStore;

/// <summary>
/// One bucket lifecycle rule, the subset archival buckets need: objects under <see cref="Prefix"/> expire a number of
/// days after they were written or on a date, and unfinished multipart uploads are aborted a number of days after they
/// began. Times follow S3: "N days after" means the first midnight UTC at least N days later.
/// </summary>
internal sealed record LifecycleRule(
    string Id,
    bool Enabled,
    string Prefix,
    int? ExpirationDays = null,
    DateTimeOffset? ExpirationDate = null,
    int? AbortIncompleteUploadDays = null)
{
    /// <summary>S3's limit on rules in one configuration.</summary>
    public const int MaxRules = 1000;

    public bool Applies(string key) => Enabled && key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>When an object written at <paramref name="lastModified"/> expires under this rule; null if never.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset lastModified) =>
        ExpirationDate ?? (ExpirationDays is { } days ? NextMidnight(lastModified.AddDays(days)) : null);

    /// <summary>
    /// The expiration of an object as S3 reports it on PUT, GET and HEAD: the earliest date any enabled rule for its
    /// key gives, with that rule's id; null when no rule expires it.
    /// </summary>
    public static ObjectExpiration? Expiration(IEnumerable<LifecycleRule>? rules, string key, DateTimeOffset lastModified) =>
        (rules ?? [])
            .Where(r => r.Applies(key))
            .Select(r => r.ExpiresAt(lastModified) is { } at ? new ObjectExpiration(at, r.Id) : null)
            .OfType<ObjectExpiration>()
            .MinBy(e => e.Date);

    /// <summary>When an upload begun at <paramref name="initiated"/> is aborted under this rule; null if never.</summary>
    public DateTimeOffset? AbortsAt(DateTimeOffset initiated) =>
        AbortIncompleteUploadDays is { } days ? NextMidnight(initiated.AddDays(days)) : null;

    private static DateTimeOffset NextMidnight(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var midnight = new DateTimeOffset(utc.Date, TimeSpan.Zero);
        return midnight == utc ? midnight : midnight.AddDays(1);
    }
}
