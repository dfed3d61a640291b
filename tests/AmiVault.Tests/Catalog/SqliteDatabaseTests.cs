using AmiVault.Catalog.Sqlite;
using Microsoft.Data.Sqlite;

namespace AmiVault.Tests.Catalog;

public sealed class SqliteDatabaseTests : IDisposable
{
    private const int SqliteBusy = 5;

    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-catalog-").FullName;

    [Fact]
    public async Task Writes_whose_transaction_cannot_begin_all_fail_and_the_writer_goes_on_afterwards()
    {
        var path = Path.Combine(_dir, "catalog.db");
        using var db = new SqliteDatabase(path, busyTimeout: TimeSpan.FromMilliseconds(300));

        // Another process holds the catalog's write lock: the writer's BEGIN IMMEDIATE gives up with SQLITE_BUSY
        // before any write of the group has run.
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var waiting = Enumerable.Range(0, 20).Select(i => Insert(db, $"10000000000{i:D1}")).ToList();
        foreach (var write in waiting)
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => write.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(SqliteBusy, error.SqliteErrorCode);
        }

        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        await Insert(db, "200000000000").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["200000000000"], db.Read(c =>
        {
            using var select = SqliteDatabase.Command(c, "SELECT account_id FROM account_settings;");
            using var reader = select.ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static Task Insert(SqliteDatabase db, string accountId) =>
        db.WriteAsync((connection, transaction) =>
        {
            using var insert = SqliteDatabase.Command(connection, "INSERT INTO account_settings VALUES ($id, 1);", transaction, ("$id", accountId));
            insert.ExecuteNonQuery();
        }, CancellationToken.None);
}
