using AmiVault.Catalog;
using AmiVault.Catalog.Iam;
using AmiVault.Catalog.Postgres;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Catalog;

/// <summary>The catalog contract against PostgreSQL (a real server, a fresh database per test), plus what only a shared database must do.</summary>
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
}
