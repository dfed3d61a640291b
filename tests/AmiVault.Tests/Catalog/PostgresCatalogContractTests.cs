using AmiVault.Catalog;
using AmiVault.Catalog.Iam;
using AmiVault.Catalog.Postgres;
using AmiVault.Tests.Support;
using Npgsql;

namespace AmiVault.Tests.Catalog;

/// <summary>The catalog contract against PostgreSQL (a real server, a fresh database per test), plus what only a shared database must do.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class PostgresCatalogContractTests : CatalogContractTests
{
    private string? _connectionString;
    private PostgresDatabase? _db;

    internal override IImageCatalog Images => new PostgresImageCatalog(_db!);

    internal override ISnapshotCatalog Snapshots => new PostgresSnapshotCatalog(_db!);

    internal override ITagCatalog Tags => new PostgresTagCatalog(_db!);

    internal override IAccountSettings Settings => new PostgresAccountSettings(_db!);

    internal override ITaskCatalog Tasks => new PostgresTaskCatalog(_db!);

    internal override IBlockIndex BlockIndex => new PostgresBlockIndex(_db!);

    internal override IIamCatalog Iam => new PostgresIamCatalog(_db!);

    internal override IParameterCatalog Parameters => new PostgresParameterCatalog(_db!);

    internal override IResourceSharing Sharing => new PostgresResourceSharing(_db!);

    public override async Task InitializeAsync()
    {
        _connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        _db = new PostgresDatabase(_connectionString);
    }

    public override Task DisposeAsync()
    {
        _db?.Dispose();
        return Task.CompletedTask;
    }

    protected override Task<(int Opened, int Latest)> ReopenAsync()
    {
        using var again = new PostgresDatabase(_connectionString!);
        return Task.FromResult((again.SchemaVersion, PostgresMigrations.All.Count));
    }

    [Fact]
    public async Task Nodes_starting_together_on_an_empty_database_migrate_it_once()
    {
        var empty = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new PostgresDatabase(empty))));
        try
        {
            Assert.All(nodes, n => Assert.Equal(PostgresMigrations.All.Count, n.SchemaVersion));
            var images = new PostgresImageCatalog(nodes[3]);
            await images.InsertAsync(new ImageRecord { ImageId = "ami-00000000000000001", OwnerId = "111111111111", Name = "n", CreationDate = DateTimeOffset.UtcNow }, []);
            Assert.NotNull(await new PostgresImageCatalog(nodes[6]).GetAsync("ami-00000000000000001"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_node_whose_lease_was_taken_over_cannot_commit_any_write_of_its_job()
    {
        var leases = new PostgresTaskLeases(_db!);
        var task = Store("t1", "ami-00000000000000001", "b", 10);
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(task, 100));
        var first = await leases.TryClaimAsync(TaskKind.Store, "t1", "node-a", TimeSpan.FromSeconds(30));
        Assert.NotNull(first);
        Assert.Null(await leases.TryClaimAsync(TaskKind.Store, "t1", "node-b", TimeSpan.FromSeconds(30)));

        // The lease runs out (on the database's clock, as if node-a had stalled for 30 s).
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var expire = new NpgsqlCommand("UPDATE store_tasks SET lease_expires = clock_timestamp() - interval '1 second';", connection);
            await expire.ExecuteNonQueryAsync();
        }

        // node-a stalled past its lease: it may not renew it, node-b takes the task over with a higher generation.
        Assert.False(await leases.RenewAsync(TaskKind.Store, "t1", "node-a", first.Value, TimeSpan.FromSeconds(30)));
        var second = await leases.TryClaimAsync(TaskKind.Store, "t1", "node-b", TimeSpan.FromSeconds(30));
        Assert.True(second > first, $"generation {second} after {first}");

        using (TaskFence.Enter(new TaskFence(TaskKind.Store, "t1", first.Value)))
        {
            await Assert.ThrowsAsync<TaskLeaseLostException>(() => Tasks.UpdateStoreAsync(task with { State = TaskStates.Failed, FailureReason = "stale" }));
            await Assert.ThrowsAsync<TaskLeaseLostException>(() => Images.UpdateStateAsync("ami-00000000000000001", "failed", null, null));
        }

        Assert.Equal(TaskStates.InProgress, (await Tasks.GetStoreAsync("t1"))!.State);
        using (TaskFence.Enter(new TaskFence(TaskKind.Store, "t1", second!.Value)))
        {
            await Tasks.UpdateStoreAsync(task with { Progress = 40 });
        }

        Assert.Equal(40, (await Tasks.GetStoreAsync("t1"))!.Progress);
        Assert.True(await leases.RenewAsync(TaskKind.Store, "t1", "node-b", second.Value, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_task_nobody_claimed_stays_its_admitting_nodes_for_one_lease_and_a_released_or_expired_one_is_free_at_once()
    {
        var leases = new PostgresTaskLeases(_db!);
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t1", "ami-00000000000000001", "b", 10), 100));
        Assert.Empty(await leases.ListUnleasedAsync(TaskKind.Store, 10, TimeSpan.FromHours(1)));
        await Task.Delay(50);
        Assert.Equal(["t1"], await leases.ListUnleasedAsync(TaskKind.Store, 10, TimeSpan.FromMilliseconds(10)));

        Assert.NotNull(await leases.TryClaimAsync(TaskKind.Store, "t1", "node-a", TimeSpan.FromSeconds(30)));
        Assert.Empty(await leases.ListUnleasedAsync(TaskKind.Store, 10, TimeSpan.Zero));
        await leases.ReleaseAsync(TaskKind.Store, "t1", "node-a");
        Assert.Equal(["t1"], await leases.ListUnleasedAsync(TaskKind.Store, 10, TimeSpan.FromHours(1)));

        Assert.NotNull(await leases.TryClaimAsync(TaskKind.Store, "t1", "node-b", TimeSpan.FromMilliseconds(50)));
        await Task.Delay(200);
        Assert.Equal(["t1"], await leases.ListUnleasedAsync(TaskKind.Store, 10, TimeSpan.FromHours(1)));
    }
}
