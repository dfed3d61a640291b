using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// The catalog's SQLite file: WAL so readers never wait for the writer, one writer at a time (SQLite allows no
/// more; queueing here beats retrying on SQLITE_BUSY), synchronous=FULL so a committed change survives a crash.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteDatabase(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Migrate(connection);
    }

    public int SchemaVersion { get; private set; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction, serialized with every other write.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            var result = work(connection, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, cancellationToken);

    /// <summary>Runs a read on its own pooled connection; WAL gives it a consistent snapshot.</summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = Open();
        return work(connection);
    }

    public void Dispose() => _writer.Dispose();

    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        command.ExecuteNonQuery();
    }

    private void Migrate(SqliteConnection connection)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using (var read = Command(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"))
        {
            SchemaVersion = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (SchemaVersion > Migrations.All.Count)
        {
            throw new InvalidOperationException(
                $"The catalog is at schema version {SchemaVersion}, newer than this amivault ({Migrations.All.Count}). Use a newer amivault.");
        }

        for (var version = SchemaVersion + 1; version <= Migrations.All.Count; version++)
        {
            using var transaction = connection.BeginTransaction();
            using (var migrate = Command(connection, Migrations.All[version - 1], transaction))
            {
                migrate.ExecuteNonQuery();
            }

            using (var record = Command(connection, "DELETE FROM schema_version; INSERT INTO schema_version VALUES ($v);", transaction, ("$v", version)))
            {
                record.ExecuteNonQuery();
            }

            transaction.Commit();
            SchemaVersion = version;
        }
    }
}
