using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Configuration;
using AmiVault.IO;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// POST /snapshots: a new pending snapshot, optionally incremental on a completed parent of the caller (the
/// parent's block index is copied, its data shared). ClientToken makes retries return the first answer.
/// Encryption is recorded (flag and KMS key ARN) by the rules of the EBS guide; data is not encrypted at rest.
/// </summary>
internal sealed partial class StartSnapshot(
    ISnapshotCatalog snapshots, ITagCatalog tags, IAccountSettings settings, ServerContext server, TimeProvider time) : IEbsOperation
{
    /// <summary>Tags, description and a few numbers: a StartSnapshot body is small.</summary>
    public const int MaxBody = 64 * 1024;

    private const int DefaultTimeoutMinutes = 60;
    private const int MaxTags = 50;

    public EbsOperation Operation => EbsOperation.StartSnapshot;

    public async Task ExecuteAsync(EbsCall call)
    {
        var request = await ReadRequestAsync(call);
        var fingerprint = request.Fingerprint();

        if (request.ClientToken is not null && await snapshots.FindByClientTokenAsync(call.AccountId, request.ClientToken, call.Aborted) is { } earlier)
        {
            await RespondAgainAsync(call, earlier, fingerprint);
            return;
        }

        var now = time.GetUtcNow();
        var (encrypted, kmsKeyArn) = await ResolveEncryptionAsync(call, request);
        var snapshot = new SnapshotRecord
        {
            SnapshotId = ResourceIds.New(ResourceIds.Snapshot),
            OwnerId = call.AccountId,
            VolumeSizeGib = request.VolumeSize,
            Status = SnapshotStatus.Pending,
            Description = request.Description,
            Encrypted = encrypted,
            KmsKeyId = kmsKeyArn,
            StartTime = now,
            ParentSnapshotId = request.ParentSnapshotId,
            ClientToken = request.ClientToken,
            ClientTokenFingerprint = fingerprint,
            TimeoutMinutes = request.TimeoutMinutes,
            Deadline = now.AddMinutes(request.TimeoutMinutes),
        };

        try
        {
            await snapshots.InsertAsync(snapshot, request.Tags, request.ParentSnapshotId, call.Aborted);
        }
        catch (CatalogConflictException) when (request.ClientToken is not null)
        {
            // A concurrent retry with the same token won the insert: answer as it did.
            var winner = await snapshots.FindByClientTokenAsync(call.AccountId, request.ClientToken, call.Aborted)
                ?? throw new InvalidOperationException("Client token conflict without a snapshot holding the token.");
            await RespondAgainAsync(call, winner, fingerprint);
            return;
        }

        await RespondAsync(call, snapshot, request.Tags);
    }

    private async Task RespondAgainAsync(EbsCall call, SnapshotRecord earlier, string fingerprint)
    {
        if (earlier.ClientTokenFingerprint != fingerprint)
        {
            throw EbsException.Conflict($"The client token {earlier.ClientToken} was already used with other parameters (snapshot {earlier.SnapshotId}).");
        }

        await RespondAsync(call, earlier, await tags.GetAsync(earlier.SnapshotId, call.Aborted));
    }

    private async Task<(bool Encrypted, string? KmsKeyArn)> ResolveEncryptionAsync(EbsCall call, Request request)
    {
        var byDefault = await settings.GetEncryptionByDefaultAsync(call.AccountId, call.Aborted);
        var defaultKey = server.DefaultEbsKmsKeyArn(call.AccountId);

        if (request.ParentSnapshotId is { } parentId)
        {
            if (request.Encrypted is not null)
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue, "Encrypted cannot be given with ParentSnapshotId: the snapshot takes its parent's encryption.");
            }

            var parent = await EbsValidation.OwnedSnapshotAsync(snapshots, parentId, call.AccountId, call.Aborted);
            if (parent.Status != SnapshotStatus.Completed)
            {
                throw EbsException.Validation(EbsReason.InvalidSnapshotId, $"The parent snapshot {parentId} is {parent.Status}; only a completed snapshot can be a parent.");
            }

            if (request.VolumeSize < parent.VolumeSizeGib)
            {
                throw EbsException.Validation(EbsReason.InvalidVolumeSize, $"VolumeSize {request.VolumeSize} is smaller than the {parent.VolumeSizeGib} GiB of the parent snapshot {parentId}.");
            }

            if (parent.Encrypted)
            {
                return (true, request.KmsKeyArn ?? parent.KmsKeyId ?? defaultKey);
            }

            if (request.KmsKeyArn is not null)
            {
                return (true, request.KmsKeyArn);
            }

            if (byDefault)
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue, $"Encryption by default is enabled: the unencrypted snapshot {parentId} cannot be a parent unless KmsKeyArn is given.");
            }

            return (false, null);
        }

        if (request.Encrypted == false)
        {
            if (request.KmsKeyArn is not null)
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue, "KmsKeyArn was given with Encrypted false.");
            }

            if (byDefault)
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue, "Encryption by default is enabled for this account: unencrypted snapshots cannot be created.");
            }
        }

        return request.Encrypted == true || request.KmsKeyArn is not null || byDefault
            ? (true, request.KmsKeyArn ?? defaultKey)
            : (false, null);
    }

    private static Task RespondAsync(EbsCall call, SnapshotRecord snapshot, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        call.RespondJsonAsync(201, json =>
        {
            json.WriteString("SnapshotId", snapshot.SnapshotId);
            json.WriteString("OwnerId", snapshot.OwnerId);
            json.WriteString("Status", snapshot.Status);
            EbsJson.WriteTime(json, "StartTime", snapshot.StartTime);
            json.WriteNumber("VolumeSize", snapshot.VolumeSizeGib);
            json.WriteNumber("BlockSize", IBlockStore.BlockSize);
            if (tags.Count == 0)
            {
                json.WriteNull("Tags");
            }
            else
            {
                json.WriteStartArray("Tags");
                foreach (var (key, value) in tags)
                {
                    json.WriteStartObject();
                    json.WriteString("Key", key);
                    json.WriteString("Value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            EbsJson.WriteStringOrNull(json, "Description", snapshot.Description);
            EbsJson.WriteStringOrNull(json, "ParentSnapshotId", snapshot.ParentSnapshotId);
            EbsJson.WriteStringOrNull(json, "KmsKeyArn", snapshot.KmsKeyId);
            json.WriteString("SseType", snapshot.Encrypted ? "sse-kms" : "none");
        });

    private static async Task<Request> ReadRequestAsync(EbsCall call)
    {
        using var body = await ReadBodyAsync(call);
        if (body.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The request body must be a JSON object.");
        }

        var root = body.RootElement;
        var volumeSize = root.TryGetProperty("VolumeSize", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var size)
            ? size
            : throw EbsException.Validation(EbsReason.InvalidVolumeSize, "VolumeSize is required and must be a whole number of GiB.");
        if (volumeSize is < 1 or > EbsValidation.MaxVolumeSizeGib)
        {
            throw EbsException.Validation(EbsReason.InvalidVolumeSize, $"VolumeSize {volumeSize} must be from 1 to {EbsValidation.MaxVolumeSizeGib} GiB.");
        }

        var timeout = Int(root, "Timeout") ?? DefaultTimeoutMinutes;
        if (timeout is < 10 or > 4320)
        {
            throw Invalid($"Timeout {timeout} must be from 10 to 4320 minutes.");
        }

        var parent = String(root, "ParentSnapshotId");
        if (parent is not null)
        {
            EbsValidation.SnapshotId(parent, "ParentSnapshotId");
        }

        var description = String(root, "Description");
        if (description is { Length: 0 or > 255 })
        {
            throw Invalid("Description must be 1 to 255 characters.");
        }

        var clientToken = String(root, "ClientToken");
        if (clientToken is not null && (clientToken.Length is 0 or > 255 || clientToken.Any(char.IsWhiteSpace)))
        {
            throw Invalid("ClientToken must be 1 to 255 characters without spaces.");
        }

        var kmsKeyArn = String(root, "KmsKeyArn");
        if (kmsKeyArn is not null && (kmsKeyArn.Length > 2048 || !KmsKeyArnPattern().IsMatch(kmsKeyArn)))
        {
            throw EbsException.Validation(EbsReason.InvalidCustomerKey, $"KmsKeyArn '{EbsValidation.Truncate(kmsKeyArn)}' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).");
        }

        bool? encrypted = root.TryGetProperty("Encrypted", out var e) && e.ValueKind != JsonValueKind.Null
            ? e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Invalid("Encrypted must be true or false.")
            : null;

        return new Request(volumeSize, parent, ReadTags(root), description, clientToken, encrypted, kmsKeyArn, (int)timeout);
    }

    private static async Task<JsonDocument> ReadBodyAsync(EbsCall call)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBody);
        try
        {
            var length = await BoundedBody.ReadAsync(call.Http.Request.Body, buffer.AsMemory(0, MaxBody), call.Aborted);
            if (length < 0)
            {
                throw Invalid($"The request body is larger than {MaxBody} bytes.");
            }

            // JsonDocument copies what it keeps, so the buffer can go back to the pool.
            return JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw Invalid("The request body is not valid JSON.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static List<KeyValuePair<string, string>> ReadTags(JsonElement root)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (!root.TryGetProperty("Tags", out var tags) || tags.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (tags.ValueKind != JsonValueKind.Array || tags.GetArrayLength() > MaxTags)
        {
            throw EbsException.Validation(EbsReason.InvalidTag, $"Tags must be a list of at most {MaxTags} {{Key, Value}} objects.");
        }

        foreach (var tag in tags.EnumerateArray())
        {
            var key = tag.ValueKind == JsonValueKind.Object ? String(tag, "Key") : null;
            var value = tag.ValueKind == JsonValueKind.Object ? String(tag, "Value") ?? "" : null;
            if (key is null || key.Length is 0 or > 127 || value is null || value.Length > 255)
            {
                throw EbsException.Validation(EbsReason.InvalidTag, "Each tag needs a Key of 1 to 127 characters and a Value of at most 255.");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw EbsException.Validation(EbsReason.InvalidTag, $"Tag keys starting with 'aws:' are reserved: '{EbsValidation.Truncate(key)}'.");
            }

            if (result.Any(t => t.Key == key))
            {
                throw EbsException.Validation(EbsReason.InvalidTag, $"Tag key '{EbsValidation.Truncate(key)}' is given twice.");
            }

            result.Add(new(key, value));
        }

        return result;
    }

    private static string? String(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"{name} must be a string.");

    private static long? Int(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : throw Invalid($"{name} must be a whole number.");

    private static EbsException Invalid(string message) => EbsException.Validation(EbsReason.InvalidParameterValue, message);

    [GeneratedRegex(@"^arn:aws[a-z\-]*:kms:[^:]*:[0-9]{12}:key/.+$", RegexOptions.CultureInvariant)]
    private static partial Regex KmsKeyArnPattern();

    private sealed record Request(
        long VolumeSize,
        string? ParentSnapshotId,
        List<KeyValuePair<string, string>> Tags,
        string? Description,
        string? ClientToken,
        bool? Encrypted,
        string? KmsKeyArn,
        int TimeoutMinutes)
    {
        /// <summary>What a retry with the same ClientToken must repeat exactly (the token itself aside).</summary>
        public string Fingerprint()
        {
            var canonical = new StringBuilder().Append(VolumeSize).Append('|').Append(TimeoutMinutes).Append('|').Append(Encrypted).Append('|');
            foreach (var field in new[] { ParentSnapshotId, Description, KmsKeyArn }.Concat(Tags.OrderBy(t => t.Key, StringComparer.Ordinal).SelectMany(t => new[] { t.Key, t.Value })))
            {
                // Length-prefixed, so no choice of strings can make two different requests read the same.
                canonical.Append(field is null ? "-" : $"{field.Length}:{field}").Append('|');
            }

            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        }
    }
}
