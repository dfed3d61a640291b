using System.CommandLine;
using AmiVault.Cli.Common;
using AmiVault.Configuration;
using AmiVault.Hosting;

namespace AmiVault.Cli;

/// <summary>
/// `amivault migrate`: moves a stopped single server's data folder into a cluster (its catalog into PostgreSQL, its
/// blocks into the S3 block store), the cluster's settings read as `serve` reads them (config file, AMIVAULT_*
/// variables). Run again after an interruption: it goes on where it stopped. Exit 3 when verification differs.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliRunner runner)
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The single server's data folder (the server must be stopped).", Required = true };
        var config = new Option<string?>("--config") { Description = "The cluster's JSON config file (or AMIVAULT_* variables): Catalog:*, Blocks:*." };
        var command = new Command("migrate", "Move a single server's data folder into a cluster: SQLite catalog to PostgreSQL, local blocks to S3; resumable, verified.")
        {
            dataDir, config,
        };
        runner.SetAction(command, async context =>
        {
            var parse = context.Parse;
            var output = context.Host.Out;
            var folder = Path.GetFullPath(parse.GetValue(dataDir)!);
            IReadOnlyList<string> problems;
            try
            {
                var cluster = OptionsLoader.Load(parse.GetValue(config), new Dictionary<string, string?>());
                problems = await ClusterMigration.RunAsync(folder, cluster, line => output.WriteLine(line), context.CancellationToken);
            }
            catch (InvalidOperationException e)
            {
                throw CliException.Configuration(e.Message);
            }
            catch (ServerStartException e)
            {
                // The folder's lock: a server runs on it.
                throw new CliException(ExitCodes.Failure, e.Message, e);
            }

            if (problems.Count > 0)
            {
                throw CliException.Verification("The cluster differs from the data folder:\n  " + string.Join("\n  ", problems));
            }

            output.WriteLine($"Migrated {folder} into the cluster; the folder is left as it was. Start the cluster's nodes with the same accounts.");
            return ExitCodes.Success;
        });
        return command;
    }
}
