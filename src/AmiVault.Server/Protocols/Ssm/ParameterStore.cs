using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AmiVault.Auth;
using AmiVault.Catalog;
using AmiVault.Configuration;

namespace AmiVault.Protocols.Ssm;

/// <summary>
/// The Parameter Store operations, per account. `aws:ec2:image` values are checked when written (AWS checks them
/// after answering and drops a version that fails; here such a version is refused with ValidationException, so it
/// never becomes visible either).
/// </summary>
internal sealed partial class ParameterStore(IParameterCatalog parameters, IImageCatalog images, IResourceSharing sharing, ServerContext server)
{
    private const int StandardValueLimit = 4096;
    private const int AdvancedValueLimit = 8192;
    private const int MaxLabelsPerVersion = 10;
    private const string ImageDataType = "aws:ec2:image";
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    public Task<Action<Utf8JsonWriter>> RunAsync(string operation, SsmRequest request, RequestIdentity caller, CancellationToken cancellationToken)
    {
        var account = caller.Account.Id;
        return operation switch
        {
            "PutParameter" => PutAsync(request, account, cancellationToken),
            "GetParameter" => GetAsync(request, account, cancellationToken),
            "GetParameters" => GetManyAsync(request, account, cancellationToken),
            "GetParametersByPath" => ByPathAsync(request, account, cancellationToken),
            "GetParameterHistory" => HistoryAsync(request, account, cancellationToken),
            "DeleteParameter" => DeleteAsync(request, account, cancellationToken),
            "DeleteParameters" => DeleteManyAsync(request, account, cancellationToken),
            "LabelParameterVersion" => LabelAsync(request, account, cancellationToken),
            "DescribeParameters" => DescribeAsync(request, account, cancellationToken),
            "ListTagsForResource" => TagsAsync(request, account, cancellationToken),
            _ => throw new SsmException("InvalidAction", $"The action {operation} is not valid for this endpoint (Parameter Store operations only)."),
        };
    }

    private async Task<Action<Utf8JsonWriter>> PutAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var name = ParameterNames.Check(request.RequiredString("Name", ParameterNames.MaxNameLength));
        var value = request.RequiredString("Value", AdvancedValueLimit);
        var overwrite = request.Bool("Overwrite");
        var tags = request.Objects("Tags", 50).Select(t => KeyValuePair.Create(t.RequiredString("Key", 128), t.String("Value", 256) ?? "")).ToList();
        if (overwrite && tags.Count > 0)
        {
            throw SsmException.Validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag.");
        }

        var history = await parameters.HistoryAsync(account, name, cancellationToken);
        var previous = history.Count > 0 ? history[^1] : null;
        if (previous is not null && !overwrite)
        {
            throw AlreadyExists();
        }

        var type = request.String("Type", 32) ?? previous?.Type
            ?? throw SsmException.Validation("A parameter type is required when you create a parameter.");
        if (type == "SecureString")
        {
            throw new SsmException("UnsupportedParameterType", "SecureString parameters need AWS KMS, which this server does not have; use String or StringList.");
        }

        if (type is not ("String" or "StringList"))
        {
            throw SsmException.Validation($"1 validation error detected: Value '{type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]");
        }

        var dataType = request.String("DataType", 128) ?? "text";
        if (dataType is not ("text" or ImageDataType))
        {
            throw SsmException.Validation($"The following data type is not supported: {dataType} (Data type names are all lowercase.)");
        }

        var tier = request.String("Tier", 32) switch
        {
            null or "Standard" => value.Length <= StandardValueLimit ? "Standard"
                : throw SsmException.Validation($"Standard tier parameters support a maximum parameter value of {StandardValueLimit} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier."),
            "Advanced" => "Advanced",
            "Intelligent-Tiering" => value.Length <= StandardValueLimit ? "Standard" : "Advanced",
            var other => throw SsmException.Validation($"1 validation error detected: Value '{other}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]"),
        };
        var pattern = request.String("AllowedPattern", 1024) ?? previous?.AllowedPattern;
        if (pattern is not null && !Matches(pattern, value))
        {
            throw new SsmException("ParameterPatternMismatchException", $"Parameter value, cannot be validated against allowedPattern: {pattern}");
        }

        if (dataType == ImageDataType)
        {
            await CheckImageAsync(type, value, account, cancellationToken);
        }

        try
        {
            var stored = await parameters.PutAsync(new ParameterVersion
            {
                OwnerId = account,
                Name = name,
                Type = type,
                Value = value,
                DataType = dataType,
                Description = request.String("Description", 1024) ?? previous?.Description,
                AllowedPattern = pattern,
                Tier = tier,
                LastModified = DateTimeOffset.UtcNow,
                ModifiedBy = $"arn:{server.Partition}:iam::{account}:root",
            }, overwrite, tags, cancellationToken);
            return json =>
            {
                json.WriteNumber("Version", stored.Version);
                json.WriteString("Tier", stored.Tier);
            };
        }
        catch (CatalogConflictException)
        {
            throw AlreadyExists();
        }
    }

    private async Task<Action<Utf8JsonWriter>> GetAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var text = request.RequiredString("Name", ParameterNames.MaxNameLength + 110);
        var found = await ResolveAsync(account, text, cancellationToken);
        return json =>
        {
            json.WritePropertyName("Parameter");
            WriteParameter(json, found, text);
        };
    }

    private async Task<Action<Utf8JsonWriter>> GetManyAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var names = request.Strings("Names", 10, ParameterNames.MaxNameLength + 110);
        if (names.Count == 0)
        {
            throw SsmException.Validation("1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null");
        }

        var found = new List<(ParameterVersion Version, string Text)>();
        var invalid = new List<string>();
        foreach (var text in names.Distinct(StringComparer.Ordinal))
        {
            try
            {
                found.Add((await ResolveAsync(account, text, cancellationToken), text));
            }
            catch (SsmException e) when (e.Type is "ParameterNotFound" or "ParameterVersionNotFound")
            {
                invalid.Add(text);
            }
        }

        return json =>
        {
            json.WriteStartArray("Parameters");
            found.ForEach(f => WriteParameter(json, f.Version, f.Text));
            json.WriteEndArray();
            json.WriteStartArray("InvalidParameters");
            invalid.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        };
    }

    private async Task<Action<Utf8JsonWriter>> ByPathAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var path = ParameterNames.CheckPath(request.RequiredString("Path", ParameterNames.MaxNameLength));
        var recursive = request.Bool("Recursive");
        var max = (int)(request.Long("MaxResults", 1, 10) ?? 10);
        var filter = ParameterFilter.Read(request, forPath: true);
        var prefix = path == "/" ? "/" : path + "/";
        var (page, next) = await ScanAsync(account, prefix, request.String("NextToken", 4096), max,
            p => (recursive || !p.Name[prefix.Length..].Contains('/')) && filter.Matches(p), cancellationToken);
        return json =>
        {
            json.WriteStartArray("Parameters");
            page.ForEach(p => WriteParameter(json, p, null));
            json.WriteEndArray();
            WriteToken(json, next);
        };
    }

    private async Task<Action<Utf8JsonWriter>> HistoryAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var name = request.RequiredString("Name", ParameterNames.MaxNameLength);
        var max = (int)(request.Long("MaxResults", 1, 50) ?? 50);
        var after = request.String("NextToken", 4096) is { } token
            ? long.TryParse(DecodeToken(token), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : throw InvalidToken()
            : 0;
        var history = await parameters.HistoryAsync(account, name, cancellationToken);
        if (history.Count == 0)
        {
            throw SsmException.NotFound(name);
        }

        var page = history.Where(v => v.Version > after).Take(max).ToList();
        var next = page.Count == max && page[^1].Version < history[^1].Version ? page[^1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return json =>
        {
            json.WriteStartArray("Parameters");
            foreach (var v in page)
            {
                json.WriteStartObject();
                WriteMetadata(json, v);
                json.WriteString("Value", v.Value);
                json.WriteStartArray("Labels");
                foreach (var label in v.Labels)
                {
                    json.WriteStringValue(label);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteToken(json, next);
        };
    }

    private async Task<Action<Utf8JsonWriter>> DeleteAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var name = request.RequiredString("Name", ParameterNames.MaxNameLength);
        return await parameters.DeleteAsync(account, name, cancellationToken) ? _ => { } : throw SsmException.NotFound(name);
    }

    private async Task<Action<Utf8JsonWriter>> DeleteManyAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var names = request.Strings("Names", 10, ParameterNames.MaxNameLength);
        if (names.Count == 0)
        {
            throw SsmException.Validation("1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null");
        }

        var deleted = new List<string>();
        var invalid = new List<string>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            (await parameters.DeleteAsync(account, name, cancellationToken) ? deleted : invalid).Add(name);
        }

        return json =>
        {
            json.WriteStartArray("DeletedParameters");
            deleted.ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("InvalidParameters");
            invalid.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        };
    }

    private async Task<Action<Utf8JsonWriter>> LabelAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var name = request.RequiredString("Name", ParameterNames.MaxNameLength);
        var version = request.Long("ParameterVersion", 1, long.MaxValue);
        var labels = request.Strings("Labels", 10, 100);
        if (labels.Count == 0)
        {
            throw SsmException.Validation("1 validation error detected: Value null at 'labels' failed to satisfy constraint: Member must not be null");
        }

        var invalid = labels.Where(l => !ParameterNames.IsValidLabel(l)).ToList();
        var valid = labels.Except(invalid).Distinct(StringComparer.Ordinal).ToList();
        long? labeled;
        try
        {
            labeled = await parameters.LabelAsync(account, name, version, valid, MaxLabelsPerVersion, cancellationToken);
        }
        catch (CatalogConflictException e)
        {
            throw new SsmException("ParameterVersionLabelLimitExceeded", e.Message);
        }

        if (labeled is null)
        {
            throw (await parameters.HistoryAsync(account, name, cancellationToken)).Count == 0
                ? SsmException.NotFound(name)
                : new SsmException("ParameterVersionNotFound", $"Systems Manager could not find version {version} of {name}. Verify the version and try again.");
        }

        return json =>
        {
            json.WriteStartArray("InvalidLabels");
            invalid.ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteNumber("ParameterVersion", labeled.Value);
        };
    }

    private async Task<Action<Utf8JsonWriter>> DescribeAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        var max = (int)(request.Long("MaxResults", 1, 50) ?? 50);
        var filter = ParameterFilter.Read(request, forPath: false);
        var (page, next) = await ScanAsync(account, filter.Prefix, request.String("NextToken", 4096), max, filter.Matches, cancellationToken);
        return json =>
        {
            json.WriteStartArray("Parameters");
            foreach (var p in page)
            {
                json.WriteStartObject();
                WriteMetadata(json, p);
                json.WriteString("ARN", Arn(p));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteToken(json, next);
        };
    }

    private async Task<Action<Utf8JsonWriter>> TagsAsync(SsmRequest request, string account, CancellationToken cancellationToken)
    {
        if (request.RequiredString("ResourceType", 32) != "Parameter")
        {
            throw new SsmException("InvalidResourceType", "Only the resource type Parameter is served here.");
        }

        var name = request.RequiredString("ResourceId", ParameterNames.MaxNameLength);
        if ((await parameters.HistoryAsync(account, name, cancellationToken)).Count == 0)
        {
            throw new SsmException("InvalidResourceId", $"The parameter {name} does not exist.");
        }

        var tags = await parameters.TagsAsync(account, name, cancellationToken);
        return json =>
        {
            json.WriteStartArray("TagList");
            foreach (var (key, value) in tags)
            {
                json.WriteStartObject();
                json.WriteString("Key", key);
                json.WriteString("Value", value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        };
    }

    /// <summary>`name`, `name:version` or `name:label` to the version it names.</summary>
    private async Task<ParameterVersion> ResolveAsync(string account, string text, CancellationToken cancellationToken)
    {
        var (name, version, label) = ParameterNames.Selector(text);
        var history = await parameters.HistoryAsync(account, name, cancellationToken);
        if (history.Count == 0)
        {
            throw SsmException.NotFound(text);
        }

        return version is { } number ? history.FirstOrDefault(v => v.Version == number)
                ?? throw new SsmException("ParameterVersionNotFound", $"Systems Manager could not find version {number} of {name}. Verify the version and try again.")
            : label is not null ? history.FirstOrDefault(v => v.Labels.Contains(label, StringComparer.Ordinal))
                ?? throw new SsmException("ParameterVersionNotFound", $"Systems Manager could not find label {label} of {name}. Verify the label and try again.")
            : history[^1];
    }

    /// <summary>
    /// A page of the latest versions under <paramref name="prefix"/> that <paramref name="match"/>, after the name in
    /// <paramref name="token"/>; the next token is the last name returned when the page is full.
    /// </summary>
    private async Task<(List<ParameterVersion> Page, string? Next)> ScanAsync(
        string account, string prefix, string? token, int max, Func<ParameterVersion, bool> match, CancellationToken cancellationToken)
    {
        const int Batch = 200;
        var after = token is null ? null : DecodeToken(token);
        var page = new List<ParameterVersion>();
        while (true)
        {
            var batch = await parameters.ListLatestAsync(account, prefix, after, Batch, cancellationToken);
            foreach (var candidate in batch)
            {
                after = candidate.Name;
                if (match(candidate))
                {
                    page.Add(candidate);
                    if (page.Count == max)
                    {
                        return (page, candidate.Name);
                    }
                }
            }

            if (batch.Count < Batch)
            {
                return (page, null);
            }
        }
    }

    private async Task CheckImageAsync(string type, string value, string account, CancellationToken cancellationToken)
    {
        if (type != "String")
        {
            throw SsmException.Validation($"A parameter of data type {ImageDataType} must be of type String.");
        }

        var image = ImageId().IsMatch(value) ? await images.GetAsync(value, cancellationToken) : null;
        if (image is null || image.State is "deregistered" or "failed" || !await sharing.IsUsableByAsync(image.OwnerId, image.ImageId, account, cancellationToken))
        {
            // Another account's image not shared with this one is as unknown as a missing one.
            throw SsmException.Validation($"Parameter value, {value}, is not a valid {ImageDataType} value: no image with that ID is available to this account.");
        }
    }

    private static bool Matches(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (ArgumentException)
        {
            throw SsmException.Validation($"The AllowedPattern '{pattern}' is not a valid regular expression.");
        }
        catch (RegexMatchTimeoutException)
        {
            throw new SsmException("ParameterPatternMismatchException", $"Parameter value, cannot be validated against allowedPattern: {pattern}");
        }
    }

    private string Arn(ParameterVersion p) => $"arn:{server.Partition}:ssm:{server.Region}:{p.OwnerId}:parameter{(p.Name.StartsWith('/') ? "" : "/")}{p.Name}";

    private void WriteParameter(Utf8JsonWriter json, ParameterVersion p, string? selectorText)
    {
        json.WriteStartObject();
        json.WriteString("Name", p.Name);
        json.WriteString("Type", p.Type);
        json.WriteString("Value", p.Value);
        json.WriteNumber("Version", p.Version);
        if (selectorText is not null && ParameterNames.Selector(selectorText) is { Name: var name } && name != selectorText)
        {
            json.WriteString("Selector", selectorText[name.Length..]);
        }

        json.WriteNumber("LastModifiedDate", p.LastModified.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteString("ARN", Arn(p));
        json.WriteString("DataType", p.DataType);
        json.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter json, ParameterVersion p)
    {
        json.WriteString("Name", p.Name);
        json.WriteString("Type", p.Type);
        json.WriteNumber("LastModifiedDate", p.LastModified.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteString("LastModifiedUser", p.ModifiedBy);
        if (p.Description is not null)
        {
            json.WriteString("Description", p.Description);
        }

        if (p.AllowedPattern is not null)
        {
            json.WriteString("AllowedPattern", p.AllowedPattern);
        }

        json.WriteNumber("Version", p.Version);
        json.WriteString("Tier", p.Tier);
        json.WriteStartArray("Policies");
        json.WriteEndArray();
        json.WriteString("DataType", p.DataType);
    }

    private static void WriteToken(Utf8JsonWriter json, string? next)
    {
        if (next is not null)
        {
            json.WriteString("NextToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(next)));
        }
    }

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw InvalidToken();
        }
    }

    private static SsmException InvalidToken() => new("InvalidNextToken", "The specified token isn't valid.");

    private static SsmException AlreadyExists() =>
        new("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageId();
}
