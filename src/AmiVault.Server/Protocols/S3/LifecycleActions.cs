using System.Globalization;
using System.Xml.Linq;
using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>
/// Get/Put/DeleteBucketLifecycleConfiguration, for the rules archival buckets use: Expiration (Days or Date) and
/// AbortIncompleteMultipartUpload, filtered by key prefix. Filters on tags or sizes, transitions and noncurrent-version
/// actions have nothing to act on here (one storage class, no versions) and are refused as NotImplemented.
/// </summary>
internal static class LifecycleActions
{
    private const int MaxLifecycleXml = 1024 * 1024;
    private const int MaxRuleId = 255;

    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "Transition", "Transitions", "NoncurrentVersionTransition", "NoncurrentVersionExpiration",
    };

    public static async Task GetAsync(S3Call call)
    {
        var rules = await call.Store.GetBucketLifecycleAsync(call.Bucket, call.Aborted);
        using var xml = new S3Xml("LifecycleConfiguration");
        foreach (var rule in rules)
        {
            xml.Start("Rule").Value("ID", rule.Id).Start("Filter").Value("Prefix", rule.Prefix).End()
                .Value("Status", rule.Enabled ? "Enabled" : "Disabled");
            if (rule.ExpirationDays is not null || rule.ExpirationDate is not null)
            {
                xml.Start("Expiration").Value("Days", rule.ExpirationDays).Value("Date", rule.ExpirationDate).End();
            }

            if (rule.AbortIncompleteUploadDays is { } days)
            {
                xml.Start("AbortIncompleteMultipartUpload").Value("DaysAfterInitiation", days).End();
            }

            xml.End();
        }

        await call.RespondXmlAsync(xml);
    }

    public static async Task PutAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var request = await call.ReadXmlAsync(MaxLifecycleXml);
        var rules = request.Children("Rule").Select(Parse).ToList();
        if (rules.Count is 0 or > LifecycleRule.MaxRules)
        {
            throw S3Call.MalformedXml();
        }

        if (rules.GroupBy(r => r.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw ObjectStoreErrors.InvalidArgument("Rule ID must be unique. Found same ID for more than one rule");
        }

        await call.Store.PutBucketLifecycleAsync(call.Bucket, rules, call.Aborted);
        call.RespondEmpty();
    }

    public static async Task DeleteAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        await call.Store.PutBucketLifecycleAsync(call.Bucket, [], call.Aborted);
        call.RespondEmpty(204);
    }

    private static LifecycleRule Parse(XElement rule)
    {
        if (rule.Elements().FirstOrDefault(e => Unsupported.Contains(e.Name.LocalName)) is { } unsupported)
        {
            throw new ObjectStoreException("NotImplemented", $"Lifecycle {unsupported.Name.LocalName} actions are not implemented: objects here have one storage class and no versions.", 501);
        }

        var id = rule.ChildValue("ID") is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N");
        if (id.Length > MaxRuleId)
        {
            throw ObjectStoreErrors.InvalidArgument("ID length should not exceed allowed limit of 255");
        }

        var enabled = rule.ChildValue("Status") switch
        {
            "Enabled" => true,
            "Disabled" => false,
            _ => throw S3Call.MalformedXml(),
        };

        var expiration = rule.Child("Expiration");
        if (expiration?.Child("ExpiredObjectDeleteMarker") is not null)
        {
            throw new ObjectStoreException("NotImplemented", "ExpiredObjectDeleteMarker is not implemented: buckets here have no versions.", 501);
        }

        var days = PositiveInt(expiration?.ChildValue("Days"), "'Days' for Expiration action must be a positive integer");
        var date = Date(expiration?.ChildValue("Date"));
        if (expiration is not null && (days is null) == (date is null))
        {
            throw S3Call.MalformedXml();
        }

        var abortDays = rule.Child("AbortIncompleteMultipartUpload") is { } abort
            ? PositiveInt(abort.ChildValue("DaysAfterInitiation"), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
                ?? throw S3Call.MalformedXml()
            : (int?)null;
        if (days is null && date is null && abortDays is null)
        {
            throw ObjectStoreErrors.InvalidRequest("At least one action needs to be specified in a rule");
        }

        return new LifecycleRule(id, enabled, Prefix(rule), days, date, abortDays);
    }

    /// <summary>The rule's key prefix: Filter/Prefix, Filter/And/Prefix without tags, the legacy Prefix, or all keys.</summary>
    private static string Prefix(XElement rule)
    {
        var filter = rule.Child("Filter");
        if (filter is null)
        {
            return rule.ChildValue("Prefix") ?? "";
        }

        var and = filter.Child("And");
        if ((and ?? filter).Elements().Any(e => e.Name.LocalName is not ("Prefix" or "And")))
        {
            throw new ObjectStoreException("NotImplemented", "Lifecycle filters on tags or object sizes are not implemented; filter on a key prefix.", 501);
        }

        return (and ?? filter).ChildValue("Prefix") ?? "";
    }

    private static int? PositiveInt(string? text, string message) => text switch
    {
        null => null,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 => value,
        _ => throw ObjectStoreErrors.InvalidArgument(message),
    };

    /// <summary>An ISO 8601 date at midnight UTC, as S3 requires of Expiration/Date.</summary>
    private static DateTimeOffset? Date(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            throw ObjectStoreErrors.InvalidArgument("Invalid date in Expiration action");
        }

        return date.TimeOfDay == TimeSpan.Zero ? date : throw ObjectStoreErrors.InvalidArgument("'Date' must be at midnight GMT");
    }
}
