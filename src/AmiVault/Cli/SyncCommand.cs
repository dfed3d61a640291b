using System.CommandLine;
using AmiVault.Cli.Common;
using AmiVault.Transfers;

namespace AmiVault.Cli;

/// <summary>
/// `amivault sync SRC DST`: the application AWS suggests for sustained cross-partition use. Every stored image under
/// SRC that DST lacks or holds in another version is copied as `copy` copies one (streamed, resumable, verified,
/// metadata and tags carried), several at once within one memory budget; `--restore` makes images of what arrives and
/// `--alias` points their AMI aliases at them; `--watch` keeps doing it. Deletions are propagated only with `--delete`.
/// </summary>
internal static class SyncCommand
{
    /// <summary>
    /// All part buffers of a sync, across the objects in flight. The process needs about 120 MiB besides them (the
    /// runtime, the SDK's HTTP stacks, the GC's young generation), more with more objects in flight: 96 MiB still
    /// peaked at 264 MiB syncing 8 x 128 MiB, 64 MiB keeps the whole under 256 MiB.
    /// </summary>
    private const long MemoryBudget = 64L << 20;

    /// <summary>After Ctrl-C, how long parts in flight get to finish before they are cut (the process allows 30 s).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    public static Command Create(CliRunner runner)
    {
        var sourceArgument = new Argument<string>("SRC") { Description = "The stored images to replicate: s3://BUCKET[/PREFIX] (every *.bin object under it)." };
        var destinationArgument = new Argument<string>("DST") { Description = "Where their copies are kept: s3://BUCKET[/PREFIX]." };
        var include = new Option<string[]>("--include") { Description = "Only objects whose key (below SRC) or stored image name matches this pattern (* and ?); repeatable." };
        var exclude = new Option<string[]>("--exclude") { Description = "Not objects whose key (below SRC) or stored image name matches this pattern (* and ?); repeatable." };
        var newerThan = new Option<string?>("--newer-than") { Description = "Only objects stored after this: an age (90m, 12h, 7d, 2w) or a UTC date (2026-11-01, 2026-11-01T12:00:00Z)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be copied (and deleted) and the bytes; change nothing." };
        var delete = new Option<bool>("--delete") { Description = "Delete archives under DST whose source is gone (never without this)." };
        var restore = new Option<bool>("--restore") { Description = "Restore each archive at the destination as an image (CreateRestoreImageTask on the destination's EC2), unless one restored from the same source image is there; wait until available." };
        var nameTemplate = new Option<string?>("--name-template") { Description = $"With --restore, the new images' names: {SyncRestorer.TemplateHelp} (default: the stored name)." };
        var alias = new Option<string?>("--alias") { Description = "With --restore, point the AMI alias PREFIX/<stored image name> (an SSM parameter of data type aws:ec2:image at the destination) at each restored image, e.g. --alias /golden." };
        var watch = new Option<string?>("--watch") { Description = "Keep running, syncing again every INTERVAL (30s, 5m, 1h) until Ctrl-C or SIGTERM, which lets the parts in flight finish and journals them." };
        var objects = new Option<int>("--objects") { Description = "Objects copied at the same time.", DefaultValueFactory = _ => 4 };
        objects.Validators.Add(r => OptionChecks.Between(r, 1, 32));
        var tuning = new CopyTuningOptions();
        var source = new ConnectionOptions("source-", "source");
        var destination = new ConnectionOptions("dest-", "destination");

        var command = new Command("sync", "Keep the stored images of one bucket/prefix copied to another (other credentials, partitions): streaming, resumable, verified.")
        {
            sourceArgument, destinationArgument, include, exclude, newerThan, dryRun, delete, restore, nameTemplate, alias, watch, objects,
        };
        tuning.AddTo(command);
        source.AddTo(command);
        destination.AddTo(command);
        runner.SetAction(command, async context =>
        {
            var from = Folder(S3Location.Parse(context.Value(sourceArgument), keyRequired: false));
            var to = Folder(S3Location.Parse(context.Value(destinationArgument), keyRequired: false));
            var template = context.Value(nameTemplate);
            if (template is not null)
            {
                SyncRestorer.CheckTemplate(template);
                if (!context.Value(restore))
                {
                    throw CliException.Usage("--name-template names restored images: give it with --restore.");
                }
            }

            var aliasPrefix = context.Value(alias) is { } prefix ? ImageAliases.CheckPrefix("--alias", prefix) : null;
            if (aliasPrefix is not null && !context.Value(restore))
            {
                throw CliException.Usage("--alias points aliases at restored images: give it with --restore.");
            }

            var interval = context.Value(watch) is { } every ? Durations.Parse(every, "--watch") : (TimeSpan?)null;
            var since = context.Value(newerThan) is { } age ? Durations.Since(age, DateTimeOffset.UtcNow, "--newer-than") : (DateTimeOffset?)null;
            var run = new SyncRun(
                context, from, to, context.Connect(source, "the source"), context.Connect(destination, "the destination"),
                new SyncOptions
                {
                    Copy = tuning.Read(context) with { Budget = new TransferBudget(MemoryBudget) },
                    Objects = context.Value(objects),
                    Filter = new SyncFilter(context.Value(include) ?? [], context.Value(exclude) ?? [], since),
                    DryRun = context.Value(dryRun),
                    Delete = context.Value(delete),
                },
                context.Value(restore), template, aliasPrefix);
            return await run.RunAsync(interval, StopGrace);
        });
        return command;
    }

    /// <summary>A prefix names a folder: `s3://b/images` syncs what is under `images/`.</summary>
    private static S3Location Folder(S3Location location) =>
        location.Key.Length == 0 || location.Key.EndsWith('/') ? location : location with { Key = location.Key + "/" };
}
