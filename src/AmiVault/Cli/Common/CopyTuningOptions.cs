using System.CommandLine;
using AmiVault.Transfers;

namespace AmiVault.Cli.Common;

/// <summary>How objects are copied, the same for `copy` and `sync`: parts in flight, part size, journal folder, archive check.</summary>
internal sealed class CopyTuningOptions
{
    public CopyTuningOptions()
    {
        Parallel.Validators.Add(r => OptionChecks.Between(r, 1, 64));
        PartSize.Validators.Add(r => OptionChecks.Between(r, 5, 1024));
    }

    public Option<int> Parallel { get; } = new("--parallel") { Description = "Parts in flight per object (fewer when parts are large: memory stays under 256 MiB).", DefaultValueFactory = _ => 8 };

    public Option<int?> PartSize { get; } = new("--part-size") { Description = "Part size in MiB (default: the source's own parts when it is multipart, else 8 MiB or more)." };

    public Option<string?> StateDirectory { get; } = new("--state-dir")
    {
        Description = "Where unfinished copies are recorded for resuming (default: $XDG_STATE_HOME/amivault/copies or ~/.local/state/amivault/copies).",
    };

    public Option<bool> VerifyArchive { get; } = new("--verify-archive") { Description = "When the object is an archive, read the whole copy back and check every frame (default: its index digest only)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Parallel);
        command.Options.Add(PartSize);
        command.Options.Add(StateDirectory);
        command.Options.Add(VerifyArchive);
    }

    public ObjectCopyOptions Read(CliContext context) => new()
    {
        Parallel = context.Value(Parallel),
        PartSize = context.Value(PartSize) is { } mib ? (long)mib << 20 : null,
        StateDirectory = context.Value(StateDirectory) ?? DefaultStateDirectory(context.Host),
        VerifyArchiveFully = context.Value(VerifyArchive),
    };

    private static string DefaultStateDirectory(CliHost host) =>
        Path.Combine(host.NonEmpty("XDG_STATE_HOME") ?? Path.Combine(host.HomeDirectory, ".local", "state"), "amivault", "copies");
}
