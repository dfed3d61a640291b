using System.Security.Cryptography;
using System.Text.Json;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using AmiVault.Ebs;

namespace AmiVault.Tests.Ebs;

/// <summary>Blocks to write, and a snapshot of everything the EBS APIs can change, to prove a refusal changed nothing.</summary>
internal static class EbsTestData
{
    public static byte[] Zeros() => new byte[IBlockStore.BlockSize];

    public static byte[] Filled(byte value)
    {
        var block = new byte[IBlockStore.BlockSize];
        Array.Fill(block, value);
        return block;
    }

    public static byte[] Random() => RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);

    public static string Checksum(byte[] block) => Convert.ToBase64String(SHA256.HashData(block));

    /// <summary>The LINEAR checksum of these blocks, by index.</summary>
    public static string Linear(IEnumerable<(int Index, byte[] Data)> blocks)
    {
        using var linear = new LinearChecksum();
        foreach (var (_, data) in blocks.OrderBy(b => b.Index))
        {
            linear.Append(SHA256.HashData(data));
        }

        return linear.ToBase64();
    }

    public static ISnapshotCatalog Catalog(this TestServer server) => server.Server.Services.GetRequiredService<ISnapshotCatalog>();

    public static string BlocksRoot(this TestServer server) => Path.Combine(server.DataDir, "blocks");

    /// <summary>Block files on disk (the temporary folder aside), by name.</summary>
    public static string[] StoredBlockFiles(this TestServer server) =>
        [.. Directory.EnumerateFiles(server.BlocksRoot(), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "tmp")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!];

    /// <summary>Every snapshot record of both test accounts, every block row, every block file, as text.</summary>
    public static async Task<string> StateAsync(this TestServer server)
    {
        var catalog = server.Catalog();
        var lines = new List<string>();
        foreach (var account in new[] { TestServer.Alice, TestServer.Bob })
        {
            foreach (var snapshot in await catalog.ListAsync(account.Id))
            {
                lines.Add(JsonSerializer.Serialize(snapshot));
                lines.AddRange((await catalog.ListBlocksAsync(snapshot.SnapshotId, 0, int.MaxValue))
                    .Select(b => $"{snapshot.SnapshotId}[{b.BlockIndex}]={Convert.ToHexStringLower(b.Hash)}"));
            }
        }

        lines.AddRange(server.StoredBlockFiles());
        return string.Join('\n', lines);
    }
}
