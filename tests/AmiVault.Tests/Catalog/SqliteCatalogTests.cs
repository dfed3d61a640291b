using AmiVault.Catalog;
using AmiVault.Catalog.Sqlite;

namespace AmiVault.Tests.Catalog;

public sealed class SqliteCatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-catalog-").FullName;
    private readonly SqliteDatabase _db;

    public SqliteCatalogTests() => _db = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));

    [Fact]
    public async Task Image_names_are_unique_per_owner_but_not_across_owners()
    {
        var images = new SqliteImageCatalog(_db);
        await images.InsertAsync(Image("ami-00000000000000001", "111111111111", "web"), []);
        await images.InsertAsync(Image("ami-00000000000000002", "222222222222", "web"), []);
        await Assert.ThrowsAsync<CatalogConflictException>(() => images.InsertAsync(Image("ami-00000000000000003", "111111111111", "web"), []));
        Assert.Null(await images.GetAsync("ami-00000000000000003"));
    }

    [Fact]
    public async Task Concurrent_block_writes_all_land()
    {
        var snapshots = new SqliteSnapshotCatalog(_db);
        await snapshots.InsertAsync(new SnapshotRecord { SnapshotId = "snap-00000000000000001", OwnerId = "111111111111", VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => snapshots.PutBlockAsync("snap-00000000000000001", i, BitConverter.GetBytes((long)i)))));
        Assert.Equal(200, await snapshots.CountBlocksAsync("snap-00000000000000001"));
        var page = await snapshots.ListBlocksAsync("snap-00000000000000001", 100, 10);
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (long)i), page.Select(b => b.BlockIndex));
    }

    [Fact]
    public async Task Deleting_a_snapshot_returns_its_hashes_and_leaves_shared_ones_referenced()
    {
        var snapshots = new SqliteSnapshotCatalog(_db);
        byte[] shared = [1], own = [2];
        foreach (var id in new[] { "snap-00000000000000001", "snap-00000000000000002" })
        {
            await snapshots.InsertAsync(new SnapshotRecord { SnapshotId = id, OwnerId = "111111111111", VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, [new("k", "v")]);
            await snapshots.PutBlockAsync(id, 0, shared);
        }

        await snapshots.PutBlockAsync("snap-00000000000000001", 1, own);
        var released = await snapshots.DeleteAsync("snap-00000000000000001");
        Assert.Equal(2, released.Count);
        Assert.True(await snapshots.IsBlockReferencedAsync(shared));
        Assert.False(await snapshots.IsBlockReferencedAsync(own));
        Assert.Empty(await new SqliteTagCatalog(_db).GetAsync("snap-00000000000000001"));
    }

    [Fact]
    public async Task An_image_cannot_map_a_snapshot_that_is_missing_or_another_owners()
    {
        var images = new SqliteImageCatalog(_db);
        await new SqliteSnapshotCatalog(_db).InsertAsync(new SnapshotRecord { SnapshotId = "snap-00000000000000002", OwnerId = "222222222222", VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);
        await Assert.ThrowsAsync<CatalogConflictException>(() => images.InsertAsync(Image("ami-00000000000000001", "111111111111", "a", "snap-00000000000000001"), []));
        await Assert.ThrowsAsync<CatalogConflictException>(() => images.InsertAsync(Image("ami-00000000000000001", "111111111111", "a", "snap-00000000000000002"), []));
        Assert.Null(await images.GetAsync("ami-00000000000000001"));
    }

    [Fact]
    public async Task A_snapshot_an_image_maps_cannot_be_deleted_until_the_image_is()
    {
        var images = new SqliteImageCatalog(_db);
        var snapshots = new SqliteSnapshotCatalog(_db);
        await snapshots.InsertAsync(new SnapshotRecord { SnapshotId = "snap-00000000000000001", OwnerId = "111111111111", VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow }, []);
        await images.InsertAsync(Image("ami-00000000000000001", "111111111111", "a", "snap-00000000000000001"), []);

        await Assert.ThrowsAsync<CatalogConflictException>(() => snapshots.DeleteAsync("snap-00000000000000001"));
        Assert.NotNull(await snapshots.GetAsync("snap-00000000000000001"));
        Assert.True(await images.DeleteAsync("ami-00000000000000001"));
        await snapshots.DeleteAsync("snap-00000000000000001");
        Assert.Null(await snapshots.GetAsync("snap-00000000000000001"));
    }

    [Fact]
    public void Reopening_a_catalog_keeps_its_schema_version()
    {
        using var again = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));
        Assert.Equal(Migrations.All.Count, again.SchemaVersion);
    }

    private static ImageRecord Image(string id, string owner, string name, string? rootSnapshotId = null) => new()
    {
        ImageId = id,
        OwnerId = owner,
        Name = name,
        CreationDate = DateTimeOffset.UtcNow,
        BlockDeviceMappings = rootSnapshotId is null ? [] : [new BlockDeviceMapping("/dev/xvda", new EbsMapping(rootSnapshotId))],
    };

    public void Dispose()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
