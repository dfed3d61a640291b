using AmiVault.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiVault.Blocks;

/// <summary>Runs compaction in the background: soon after a reclamation freed blocks, and every so often anyway.</summary>
internal sealed class PackCompactor(PackBlockStore store, ServerContext context, ILogger<PackCompactor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(context.Options.Blocks.CompactionIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.WaitForReclaimAsync(interval, stoppingToken);
                var result = await store.CompactAsync(stoppingToken);
                if (result.PacksRemoved > 0 || result.PacksRewritten > 0)
                {
                    logger.LogInformation("Compaction rewrote {Rewritten} packs and removed {Removed}.", result.PacksRewritten, result.PacksRemoved);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Compaction failed; it is tried again later.");
            }
        }
    }
}
