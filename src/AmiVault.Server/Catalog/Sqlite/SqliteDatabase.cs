using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// The catalog's SQLite file: WAL so readers never wait for the writer; synchronous=FULL so a committed change
/// survives a crash. SQLite has one writer, so writes queue to one thread that commits them in groups: every write
/// waiting when a transaction starts joins it (each in its own savepoint, so one failing write fails alone), and one
/// fsync then acknowledges them all. Many concurrent block writes thus cost one commit, not one each.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private const int MaxGroup = 512;

    private readonly string _connectionString;
    private readonly Channel<IPendingWrite> _writes = Channel.CreateUnbounded<IPendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;
    private readonly int _busyTimeoutMs;

    /// <param name="path">The catalog file.</param>
    /// <param name="busyTimeout">How long a statement waits for a lock another process holds (default 30 s).</param>
    public SqliteDatabase(string path, TimeSpan? busyTimeout = null)
    {
        _busyTimeoutMs = (int)(busyTimeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
        using (var connection = Open())
        {
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Migrate(connection);
        }

        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "catalog writer" };
        _writer.Start();
    }

    private interface IPendingWrite
    {
        CancellationToken CancellationToken { get; }

        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Committed();

        void Failed(Exception error);
    }

    public int SchemaVersion { get; private set; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs};");
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction, serialized with every other write; the task completes
    /// once the transaction holding it is durably committed. <paramref name="work"/> must not block on anything else.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        var write = new PendingWrite<T>(work, cancellationToken);
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteDatabase), "The catalog is closed.");
        }

        return write.Task;
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

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writer.Join();
    }

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

    /// <summary>
    /// The writer thread. Whatever fails for a group as a whole (opening the connection, beginning the transaction when
    /// the file is locked or unwritable, a savepoint, the commit) fails every write of the group that has not failed on
    /// its own, so no caller waits forever; the connection is then opened afresh for the next group.
    /// </summary>
    private void WriteLoop()
    {
        SqliteConnection? connection = null;
        var group = new List<IPendingWrite>(MaxGroup);
        var done = new List<IPendingWrite>(MaxGroup);
        while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (group.Count < MaxGroup && _writes.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            try
            {
                connection ??= Open();
                using var transaction = connection.BeginTransaction();
                foreach (var write in group)
                {
                    if (write.CancellationToken.IsCancellationRequested)
                    {
                        write.Failed(new OperationCanceledException(write.CancellationToken));
                        continue;
                    }

                    transaction.Save("w");
                    try
                    {
                        write.Run(connection, transaction);
                        transaction.Release("w");
                        done.Add(write);
                    }
                    catch (Exception e)
                    {
                        transaction.Rollback("w");
                        transaction.Release("w");
                        write.Failed(e);
                    }
                }

                transaction.Commit();
                done.ForEach(w => w.Committed());
            }
            catch (Exception e)
            {
                // Nothing of the group is durable. A write that already failed on its own keeps its own error.
                group.ForEach(w => w.Failed(e));
                connection?.Dispose();
                connection = null;
            }

            group.Clear();
            done.Clear();
        }

        connection?.Dispose();
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) : IPendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public CancellationToken CancellationToken => cancellationToken;

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = work(connection, transaction);

        public void Committed() => _completion.TrySetResult(_result!);

        public void Failed(Exception error) => _completion.TrySetException(error);
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
