using Npgsql;
using NpgsqlTypes;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// The catalog in PostgreSQL, shared by every node of a cluster. Each write is one transaction on a pooled
/// connection; PostgreSQL's own locking (row locks, advisory transaction locks) serializes what must be, across
/// nodes, so the database is the only coordinator.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    /// <summary>The advisory lock every starting node takes around the migration step ("amivault" as a number).</summary>
    private const long MigrationLockKey = 0x616D697661756C74;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        Migrate();
    }

    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/> in one read-committed transaction and commits it; any exception rolls it back.
    /// Inside a job (<see cref="TaskFence.Current"/>) the transaction first checks the task's lease generation and
    /// keeps the task row FOR KEY SHARE until it commits: another node's claim (FOR UPDATE) cannot slip in between
    /// the check and the commit, and once it has claimed, this node's writes are refused.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (TaskFence.Current is { } fence)
        {
            await using var check = Command(connection,
                $"SELECT lease_generation FROM {TaskTable(fence.Kind)} WHERE task_id = @id FOR KEY SHARE;", transaction, ("@id", fence.TaskId));
            if (await check.ExecuteScalarAsync(cancellationToken) is not long generation || generation != fence.Generation)
            {
                throw new TaskLeaseLostException(fence);
            }
        }

        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);

    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                // Times are timestamptz; Npgsql wants them in UTC.
                DateTimeOffset time => new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = time.ToUniversalTime() },
                null => new NpgsqlParameter(name, DBNull.Value),
                _ => new NpgsqlParameter(name, value),
            });
        }

        return command;
    }

    /// <summary>
    /// Takes an advisory lock for the rest of the transaction: concurrent admissions of one account's tasks, on any
    /// node, run one after the other, so "in progress" sums and duplicate checks see each other's inserts.
    /// </summary>
    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key)
    {
        await using var command = Command(connection, "SELECT pg_advisory_xact_lock(hashtextextended(@k, 0));", transaction, ("@k", key));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The table of a kind of task.</summary>
    public static string TaskTable(TaskKind kind) => kind == TaskKind.Store ? "store_tasks" : "restore_tasks";

    /// <summary>Whether <paramref name="e"/> is a unique-constraint violation (SQLSTATE 23505).</summary>
    public static bool IsUniqueViolation(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public void Dispose() => _dataSource.Dispose();

    /// <summary>
    /// Nodes starting together all come here: a session advisory lock lets one migrate while the others wait, and
    /// each reads the version only once it holds the lock, so every migration runs exactly once.
    /// </summary>
    private void Migrate()
    {
        using var connection = _dataSource.OpenConnection();
        using (var lockCommand = Command(connection, "SELECT pg_advisory_lock(@k);", null, ("@k", MigrationLockKey)))
        {
            lockCommand.ExecuteNonQuery();
        }

        try
        {
            using (var create = Command(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);"))
            {
                create.ExecuteNonQuery();
            }

            using (var read = Command(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"))
            {
                SchemaVersion = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }

            if (SchemaVersion > PostgresMigrations.All.Count)
            {
                throw new InvalidOperationException(
                    $"The catalog is at schema version {SchemaVersion}, newer than this amivault ({PostgresMigrations.All.Count}). Use a newer amivault.");
            }

            for (var version = SchemaVersion + 1; version <= PostgresMigrations.All.Count; version++)
            {
                using var transaction = connection.BeginTransaction();
                using (var migrate = Command(connection, PostgresMigrations.All[version - 1], transaction))
                {
                    migrate.ExecuteNonQuery();
                }

                using (var record = Command(connection, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (@v);", transaction, ("@v", version)))
                {
                    record.ExecuteNonQuery();
                }

                transaction.Commit();
                SchemaVersion = version;
            }
        }
        finally
        {
            using var unlock = Command(connection, "SELECT pg_advisory_unlock(@k);", null, ("@k", MigrationLockKey));
            unlock.ExecuteNonQuery();
        }
    }
}
