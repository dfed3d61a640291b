using System.Security.Cryptography;
using System.Text.Json;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Catalog.Sqlite;
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

    /// <summary>The blocks that have stored data (hex SHA-256, in order), as the block index lists them.</summary>
    public static string[] StoredBlocks(this TestServer server) =>
        server.Server.Services.GetRequiredService<SqliteDatabase>().Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT hash FROM block_locations;");
            using var reader = query.ExecuteReader();
            var hashes = new List<string>();
            while (reader.Read())
            {
                hashes.Add(Convert.ToHexStringLower((byte[])reader[0]));
            }

            return hashes.Order(StringComparer.Ordinal).ToArray();
        });

    /// <summary>Bytes in the pack files: a request that changes nothing leaves it alone.</summary>
    public static long StoredPackBytes(this TestServer server) =>
        Directory.EnumerateFiles(server.BlocksRoot(), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

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

        lines.AddRange(server.StoredBlocks());
        lines.Add($"pack bytes: {server.StoredPackBytes()}");
        return string.Join('\n', lines);
    }
}
