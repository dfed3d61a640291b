using AmiVault.Catalog;
using AmiVault.Catalog.Iam;
using AmiVault.Catalog.Sqlite;

namespace AmiVault.Tests.Catalog;

/// <summary>The catalog contract against the embedded SQLite backend.</summary>
public sealed class SqliteCatalogContractTests : CatalogContractTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-catalog-").FullName;
    private SqliteDatabase? _db;

    internal override IImageCatalog Images => new SqliteImageCatalog(_db!);

    internal override ISnapshotCatalog Snapshots => new SqliteSnapshotCatalog(_db!);

    internal override ITagCatalog Tags => new SqliteTagCatalog(_db!);

    internal override IAccountSettings Settings => new SqliteAccountSettings(_db!);

    internal override ITaskCatalog Tasks => new SqliteTaskCatalog(_db!);

    internal override IBlockIndex BlockIndex => new SqliteBlockIndex(_db!);

    internal override IIamCatalog Iam => new SqliteIamCatalog(_db!);

    internal override IParameterCatalog Parameters => new SqliteParameterCatalog(_db!);

    internal override IResourceSharing Sharing => new SqliteResourceSharing(_db!);

    public override Task InitializeAsync()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _db?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    protected override Task<(int Opened, int Latest)> ReopenAsync()
    {
        using var again = new SqliteDatabase(Path.Combine(_dir, "catalog.db"));
        return Task.FromResult((again.SchemaVersion, Migrations.All.Count));
    }
}
