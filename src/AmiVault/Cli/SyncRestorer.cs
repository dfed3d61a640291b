using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AmiVault.Cli.Common;
using AmiVault.Transfers;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Cli;

/// <summary>
/// `sync --restore`: once an archive is at the destination, an image from it through the destination's EC2
/// (CreateRestoreImageTask), unless an image restored from the same source image is already there (its
/// sourceImageId); then waits for it to become available. Named as stored, or by a --name-template.
/// </summary>
internal sealed partial class SyncRestorer(IAmazonEC2 ec2, ObjectSync sync, SyncEnd destination, string? nameTemplate)
{
    public const string TemplateHelp = "{name} (the stored image name), {image-id} (the source image), {key} (the object key without .bin), {date} (today, UTC, yyyy-MM-dd)";

    /// <summary>Fails with a usage error when <paramref name="template"/> uses a placeholder that does not exist.</summary>
    public static void CheckTemplate(string template)
    {
        foreach (Match placeholder in Placeholder().Matches(template))
        {
            if (placeholder.Groups[1].Value is not ("name" or "image-id" or "key" or "date"))
            {
                throw CliException.Usage($"--name-template: {placeholder.Value} is not a placeholder; use {TemplateHelp}.");
            }
        }
    }

    /// <summary>This account's image restored from the archive of <paramref name="sourceImageId"/>, available or on its way.</summary>
    private async Task<Image?> RestoredAlreadyAsync(string sourceImageId, CancellationToken cancellationToken)
    {
        var existing = await ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            Owners = ["self"],
            Filters = [new Filter("source-image-id", [sourceImageId])],
        }, cancellationToken);
        return existing.Images?.FirstOrDefault(i => i.State == ImageState.Available || i.State == ImageState.Pending);
    }

    /// <summary>Restores the archive at <paramref name="item"/> and says what happened in <paramref name="line"/>.</summary>
    public async Task<SyncRestoreResult> RestoreAsync(SyncItem item, JsonObject line, CancellationToken cancellationToken, CancellationToken stop)
    {
        var archive = await sync.OpenDestinationArchiveAsync(item.RelativeKey, cancellationToken);
        if (archive is null)
        {
            line["Restore"] = "not an AmiVault archive";
            return SyncRestoreResult.None;
        }

        var image = archive.Manifest.Image;
        var restored = await RestoredAlreadyAsync(image.ImageId, cancellationToken);
        string imageId;
        if (restored is not null)
        {
            imageId = restored.ImageId;
            line["Restore"] = "already restored";
        }
        else
        {
            var key = destination.Prefix + item.RelativeKey;
            try
            {
                var response = await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
                {
                    Bucket = destination.Bucket,
                    ObjectKey = key,
                    Name = nameTemplate is null ? null : Render(nameTemplate, image.Name, image.ImageId, key),
                }, cancellationToken);
                imageId = response.ImageId;
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidAMIName.Duplicate")
            {
                // A retry whose first attempt started the restore but lost the answer meets that restore's image.
                if (await RestoredAlreadyAsync(image.ImageId, cancellationToken) is not { } ours)
                {
                    throw;
                }

                imageId = ours.ImageId;
            }

            line["Restore"] = "restored";
        }

        line["RestoredImageId"] = imageId;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        try
        {
            line["RestoredImageName"] = (await Ec2Waits.ImageAvailableAsync(ec2, imageId, waiting.Token)).Name;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            line["Restore"] += " (stopped before it was available)";
            return new SyncRestoreResult(false, null, image.Name, image.ImageId, image.CreationDate);
        }

        return new SyncRestoreResult(restored is null, imageId, image.Name, image.ImageId, image.CreationDate);
    }

    private static string Render(string template, string name, string imageId, string key) =>
        Placeholder().Replace(template, m => m.Groups[1].Value switch
        {
            "name" => name,
            "image-id" => imageId,
            "key" => Path.GetFileNameWithoutExtension(key),
            _ => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });

    [GeneratedRegex(@"\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
