using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AmiVault.Catalog.Postgres;
using AmiVault.Catalog.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiVault.Catalog;

/// <summary>
/// Copies an embedded catalog (SQLite) into a cluster's (PostgreSQL), table by table, for `amivault migrate`. Rows
/// are inserted with ON CONFLICT DO NOTHING in transactions of <see cref="Batch"/>, so a copy interrupted at any
/// point simply runs again. The block index is not copied: the blocks themselves move (the target block store
/// indexes them as it writes). Columns only PostgreSQL has (leases, fencing) take their defaults. Verification
/// compares, per table, the row count and a digest of every row's values as PostgreSQL holds them.
/// </summary>
internal sealed class CatalogCopier(SqliteDatabase from, PostgresDatabase to)
{
    private const int Batch = 1000;

    /// <summary>
    /// Not copied: the block index (the target block store writes its own as the blocks move), the server keys (they
    /// move sealed, by <see cref="PostgresServerKeys.ImportAsync"/>), IAM's generation (raised, not copied) and each
    /// catalog's own schema version.
    /// </summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.Ordinal) { "block_locations", "block_packs", "server_keys", "iam_generation", "schema_version" };

    /// <summary>Copies every table; returns the rows each source table holds.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CopyAsync(Action<string> report, CancellationToken cancellationToken)
    {
        var copied = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(cancellationToken))
        {
            var columns = await ColumnsAsync(table, cancellationToken);
            var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
            var values = string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)));
            var insert = $"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING;";
            var rows = 0L;
            var pending = new List<object?[]>(Batch);
            using var connection = from.Open();
            using var select = SqliteDatabase.Command(connection, $"SELECT {names} FROM {table};");
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                pending.Add([.. columns.Select((c, i) => c.FromSqlite(reader, i))]);
                rows++;
                if (pending.Count == Batch)
                {
                    await InsertAsync(insert, pending, cancellationToken);
                    pending.Clear();
                }
            }

            await InsertAsync(insert, pending, cancellationToken);
            copied[table] = rows;
            report($"catalog: {table}: {rows} rows");
        }

        // IAM's generation only goes up: nodes compare it with what they loaded.
        var generation = from.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT value FROM iam_generation;");
            return query.ExecuteScalar() is long value ? value : 0L;
        });
        await to.WriteAsync(async (c, t) =>
        {
            await using var update = PostgresDatabase.Command(c, "UPDATE iam_generation SET value = GREATEST(value, @v) + 1;", t, ("@v", generation));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        return copied;
    }

    /// <summary>Tables whose row count or row digest differs between the two catalogs, with both counts; empty when they match.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken)
    {
        var differences = new List<string>();
        foreach (var table in await TablesAsync(cancellationToken))
        {
            var columns = await ColumnsAsync(table, cancellationToken);
            var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
            var source = new RowDigest();
            using (var connection = from.Open())
            using (var select = SqliteDatabase.Command(connection, $"SELECT {names} FROM {table};"))
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    source.Add([.. columns.Select((c, i) => c.FromSqlite(reader, i))]);
                }
            }

            var target = await to.ReadAsync(async c =>
            {
                var digest = new RowDigest();
                await using var select = PostgresDatabase.Command(c, $"SELECT {names} FROM {table};");
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    digest.Add([.. columns.Select((_, i) => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
                }

                return digest;
            }, cancellationToken);
            if (source.Count != target.Count || !source.Value.SequenceEqual(target.Value))
            {
                differences.Add($"{table}: {source.Count} rows in the source, {target.Count} in the target{(source.Count == target.Count ? ", with different contents" : "")}");
            }
        }

        return differences;
    }

    /// <summary>Every distinct block hash the source's snapshots reference: the blocks to move.</summary>
    public IReadOnlyList<byte[]> ReferencedHashes() =>
        from.Read<IReadOnlyList<byte[]>>(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT DISTINCT hash FROM snapshot_blocks;");
            using var reader = query.ExecuteReader();
            var hashes = new List<byte[]>();
            while (reader.Read())
            {
                hashes.Add((byte[])reader[0]);
            }

            return hashes;
        });

    private async Task InsertAsync(string sql, List<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await to.WriteAsync(async (c, t) =>
        {
            foreach (var row in rows)
            {
                await using var command = PostgresDatabase.Command(c, sql, t, [.. row.Select((v, i) => ("@p" + i.ToString(CultureInfo.InvariantCulture), v))]);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// The tables both catalogs have (whatever later migrations add is moved too), parents before the children whose
    /// foreign keys point at them. Each must have a key in PostgreSQL, or running the copy again would duplicate rows.
    /// </summary>
    private async Task<IReadOnlyList<string>> TablesAsync(CancellationToken cancellationToken)
    {
        var inSqlite = from.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';");
            using var reader = query.ExecuteReader();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        });
        var (tables, keyed, parents) = await to.ReadAsync(async c =>
        {
            var tables = new List<string>();
            await using (var query = PostgresDatabase.Command(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name;"))
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    tables.Add(reader.GetString(0));
                }
            }

            var keyed = new HashSet<string>(StringComparer.Ordinal);
            await using (var query = PostgresDatabase.Command(c,
                "SELECT DISTINCT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE i.indisunique AND n.nspname = current_schema();"))
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    keyed.Add(reader.GetString(0));
                }
            }

            var parents = new List<(string Child, string Parent)>();
            await using (var query = PostgresDatabase.Command(c,
                "SELECT child.relname, parent.relname FROM pg_constraint k JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid JOIN pg_namespace n ON n.oid = child.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema();"))
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    parents.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            return (tables, keyed, parents);
        }, cancellationToken);

        var wanted = tables.Where(t => inSqlite.Contains(t) && !NotCopied.Contains(t)).ToList();
        if (wanted.FirstOrDefault(t => !keyed.Contains(t)) is { } unkeyed)
        {
            throw new InvalidOperationException($"Table {unkeyed} has no key in PostgreSQL: the copy could not be run again without duplicating its rows.");
        }

        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < wanted.Count)
        {
            var ready = wanted.Where(t => !placed.Contains(t) && parents.All(p => p.Child != t || p.Parent == t || placed.Contains(p.Parent) || !wanted.Contains(p.Parent))).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException("The catalog's tables refer to each other in a circle; the copy cannot order them.");
            }

            ordered.AddRange(ready);
            placed.UnionWith(ready);
        }

        return ordered;
    }

    /// <summary>The columns both catalogs have, with PostgreSQL's type for each (what a SQLite value becomes).</summary>
    private async Task<IReadOnlyList<Column>> ColumnsAsync(string table, CancellationToken cancellationToken)
    {
        var inSqlite = from.Read(c =>
        {
            using var query = SqliteDatabase.Command(c, "SELECT name FROM pragma_table_info($t);", null, ("$t", table));
            using var reader = query.ExecuteReader();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        });
        var columns = await to.ReadAsync<IReadOnlyList<Column>>(async c =>
        {
            await using var query = PostgresDatabase.Command(c,
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t ORDER BY ordinal_position;", null, ("@t", table));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var list = new List<Column>();
            while (await reader.ReadAsync(cancellationToken))
            {
                if (inSqlite.Contains(reader.GetString(0)))
                {
                    list.Add(new Column(reader.GetString(0), reader.GetString(1)));
                }
            }

            return list;
        }, cancellationToken);
        return columns.Count > 0 ? columns : throw new InvalidOperationException($"The catalogs have no column of table {table} in common.");
    }

    private static string Quote(string name) => "\"" + name + "\"";

    /// <summary>A column and how a SQLite value (TEXT times, INTEGER booleans) becomes the PostgreSQL one.</summary>
    private sealed record Column(string Name, string PostgresType)
    {
        public object? FromSqlite(SqliteDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                return null;
            }

            return PostgresType switch
            {
                "timestamp with time zone" => DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).UtcDateTime,
                "boolean" => reader.GetInt64(ordinal) != 0,
                "bigint" => reader.GetInt64(ordinal),
                "integer" => reader.GetInt32(ordinal),
                "bytea" => (byte[])reader[ordinal],
                "text" => reader.GetString(ordinal),
                var other => throw new InvalidOperationException($"Column {Name} has type {other}, which the copy does not know."),
            };
        }
    }

    /// <summary>An order-independent digest of rows (the XOR of each row's SHA-256; rows are unique by their key) and their count.</summary>
    private sealed class RowDigest
    {
        public byte[] Value { get; } = new byte[32];

        public long Count { get; private set; }

        public void Add(object?[] row)
        {
            var text = new StringBuilder();
            foreach (var value in row)
            {
                text.Append(value switch
                {
                    null => "\0",
                    // PostgreSQL keeps microseconds.
                    DateTime time => (time.ToUniversalTime().Ticks / 10).ToString(CultureInfo.InvariantCulture),
                    byte[] bytes => Convert.ToHexString(bytes),
                    bool flag => flag ? "t" : "f",
                    IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString(),
                }).Append('\u001f');
            }

            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
            for (var i = 0; i < hash.Length; i++)
            {
                Value[i] ^= hash[i];
            }

            Count++;
        }
    }
}
