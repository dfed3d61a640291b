using AmiVault.Catalog;
using AmiVault.Catalog.Sqlite;

namespace AmiVault.Tests.Catalog;

public sealed class SqliteTaskCatalogTests : IDisposable
{
    private const string Owner = "111111111111";
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-tasks-").FullName;
    private readonly SqliteDatabase _db;
    private readonly SqliteTaskCatalog _tasks;

    public SqliteTaskCatalogTests()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));
        _tasks = new SqliteTaskCatalog(_db);
    }

    [Fact]
    public async Task A_second_store_of_an_image_into_the_same_bucket_is_refused_while_the_first_runs()
    {
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t1", "ami-00000000000000001", "b", 10), 100));
        Assert.Equal(TaskAdmission.AlreadyInProgress, await _tasks.TryAddStoreAsync(Store("t2", "ami-00000000000000001", "b", 10), 100));
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t3", "ami-00000000000000001", "other", 10), 100));

        var first = (await _tasks.GetStoreAsync("t1"))!;
        await _tasks.UpdateStoreAsync(first with { State = TaskStates.Completed, Progress = 100 });
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t4", "ami-00000000000000001", "b", 10), 100));
    }

    [Fact]
    public async Task The_store_quota_admits_while_the_tasks_in_progress_are_under_it()
    {
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t1", "ami-00000000000000001", "b", 60), 100));
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t2", "ami-00000000000000002", "b", 41), 100));
        Assert.Equal(TaskAdmission.QuotaExceeded, await _tasks.TryAddStoreAsync(Store("t3", "ami-00000000000000003", "b", 1), 100));
        await _tasks.UpdateStoreAsync((await _tasks.GetStoreAsync("t1"))! with { State = TaskStates.Failed });
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddStoreAsync(Store("t4", "ami-00000000000000003", "b", 500), 100));
        Assert.Equal(["t4", "t2", "t1"], (await _tasks.ListStoresAsync(Owner, DateTimeOffset.MinValue)).Select(t => t.TaskId));
    }

    [Fact]
    public async Task A_restore_adds_its_image_and_snapshots_atomically_and_respects_names()
    {
        var now = DateTimeOffset.UtcNow;
        var snapshot = new SnapshotRecord { SnapshotId = "snap-00000000000000001", OwnerId = Owner, VolumeSizeGib = 1, StartTime = now };
        var image = new ImageRecord
        {
            ImageId = "ami-00000000000000009", OwnerId = Owner, Name = "restored", CreationDate = now, State = "pending",
            BlockDeviceMappings = [new BlockDeviceMapping("/dev/xvda", new EbsMapping(SnapshotId: snapshot.SnapshotId))],
        };
        var task = new RestoreTaskRecord { TaskId = "r1", OwnerId = Owner, ImageId = image.ImageId, Bucket = "b", ObjectKey = "k", StartTime = now, SizeBytes = 1 << 30 };
        Assert.Equal(TaskAdmission.Admitted, await _tasks.TryAddRestoreAsync(task, image, [new("a", "b")], [(snapshot, [])], 10L << 30));
        Assert.Equal("pending", (await new SqliteImageCatalog(_db).GetAsync(image.ImageId))!.State);
        Assert.NotNull(await new SqliteSnapshotCatalog(_db).GetAsync(snapshot.SnapshotId));

        var again = task with { TaskId = "r2", ImageId = "ami-0000000000000000a" };
        Assert.Equal(TaskAdmission.NameInUse, await _tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, BlockDeviceMappings = [] }, [], [], 10L << 30));
        Assert.Equal(TaskAdmission.QuotaExceeded,
            await _tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, Name = "other", BlockDeviceMappings = [] }, [], [], 1L << 30));
        Assert.Single(await _tasks.ListUnfinishedRestoresAsync());
        Assert.Equal(TaskAdmission.Admitted,
            await _tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, Name = "other", BlockDeviceMappings = [] }, [], [], (1L << 30) + 1));
    }

    private static StoreTaskRecord Store(string id, string image, string bucket, long size) => new()
    {
        TaskId = id, OwnerId = Owner, ImageId = image, Bucket = bucket, ObjectKey = image + ".bin",
        StartTime = DateTimeOffset.UtcNow, SizeBytes = size,
    };

    public void Dispose()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
