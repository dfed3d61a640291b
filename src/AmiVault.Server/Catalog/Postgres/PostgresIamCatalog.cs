using AmiVault.Catalog.Iam;
using Npgsql;

namespace AmiVault.Catalog.Postgres;

/// <summary>
/// IAM in PostgreSQL. Every change first bumps the one row of iam_generation: that row lock serializes IAM changes
/// across the nodes of a cluster (they are rare), so the checks that follow (names free, at most two keys, nothing
/// left attached) see every earlier change and no concurrent one. Names are unique case-insensitively, as in IAM,
/// through unique indexes on lower(name).
/// </summary>
internal sealed class PostgresIamCatalog(PostgresDatabase db) : IIamCatalog
{
    public long Generation() => db.ReadAsync(async c =>
    {
        await using var query = PostgresDatabase.Command(c, "SELECT value FROM iam_generation;");
        return (long)(await query.ExecuteScalarAsync())!;
    }, CancellationToken.None).GetAwaiter().GetResult();

    public IamContents Load() => db.ReadAsync(async c =>
    {
        // One repeatable-read transaction: every table as of the same moment.
        await using var snapshot = await c.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        long generation;
        await using (var query = PostgresDatabase.Command(c, "SELECT value FROM iam_generation;", snapshot))
        {
            generation = (long)(await query.ExecuteScalarAsync())!;
        }

        var users = await RowsAsync(c, snapshot, "SELECT account_id, user_name, user_id, create_date FROM iam_users ORDER BY account_id, lower(user_name);",
            r => new IamUserRecord(r.GetString(0), r.GetString(1), r.GetString(2), Date(r, 3)));
        var keys = await RowsAsync(c, snapshot, "SELECT access_key_id, account_id, user_name, sealed_secret, active, create_date FROM iam_access_keys ORDER BY create_date;",
            r => new IamAccessKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r[3], r.GetBoolean(4), Date(r, 5)));
        var roles = await RowsAsync(c, snapshot, "SELECT account_id, role_name, role_id, trust_policy, max_session_duration, description, create_date FROM iam_roles ORDER BY account_id, lower(role_name);",
            r => new IamRoleRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), Date(r, 6)));
        var versions = (await RowsAsync(c, snapshot, "SELECT account_id, policy_name, version, document, create_date FROM iam_policy_versions ORDER BY version;",
            r => (Account: r.GetString(0), Policy: r.GetString(1), Version: new IamPolicyVersionRecord(r.GetInt32(2), r.GetString(3), Date(r, 4)))))
            .ToLookup(v => (v.Account, v.Policy.ToUpperInvariant()), v => v.Version);
        var policies = await RowsAsync(c, snapshot, "SELECT account_id, policy_name, policy_id, default_version, description, create_date FROM iam_policies ORDER BY account_id, lower(policy_name);",
            r => new IamManagedPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), Date(r, 5), []));
        policies = [.. policies.Select(p => p with { Versions = [.. versions[(p.AccountId, p.PolicyName.ToUpperInvariant())]] })];
        var inline = await RowsAsync(c, snapshot, "SELECT account_id, principal_kind, principal_name, policy_name, document FROM iam_inline_policies ORDER BY policy_name;",
            r => new IamInlinePolicyRecord(r.GetString(0), Enum.Parse<IamPrincipalKind>(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4)));
        var attachments = await RowsAsync(c, snapshot, "SELECT account_id, principal_kind, principal_name, policy_name FROM iam_attachments ORDER BY policy_name;",
            r => new IamAttachmentRecord(r.GetString(0), Enum.Parse<IamPrincipalKind>(r.GetString(1)), r.GetString(2), r.GetString(3)));
        var sessions = await RowsAsync(c, snapshot, "SELECT access_key_id, account_id, role_name, role_id, session_name, sealed_secret, token_hash, expiration FROM sts_sessions;",
            r => new StsSessionRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), (byte[])r[5], (byte[])r[6], Date(r, 7)));
        var bucketPolicies = await RowsAsync(c, snapshot, "SELECT bucket, owner_id, document FROM bucket_policies;",
            r => new BucketPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2)));
        await snapshot.CommitAsync();
        return new IamContents(generation, users, keys, roles, policies, inline, attachments, sessions, bucketPolicies);
    }, CancellationToken.None).GetAwaiter().GetResult();

    public Task CreateUserAsync(IamUserRecord user, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_users WHERE account_id = @a AND lower(user_name) = lower(@n);", ("@a", user.AccountId), ("@n", user.UserName)),
                IamConflict.EntityAlreadyExists, $"User with name {user.UserName} already exists.");
            await ExecuteAsync(c, t, "INSERT INTO iam_users (account_id, user_name, user_id, create_date) VALUES (@a, @n, @i, @d);",
                ("@a", user.AccountId), ("@n", user.UserName), ("@i", user.UserId), ("@d", user.CreateDate));
        }, cancellationToken);

    public Task DeleteUserAsync(string accountId, string userName, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequireUserAsync(c, t, accountId, userName);
            var owner = new (string, object?)[] { ("@a", accountId), ("@n", userName), ("@k", nameof(IamPrincipalKind.User)) };
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_access_keys WHERE account_id = @a AND lower(user_name) = lower(@n);", owner[..2])
                && !await ExistsAsync(c, t, "SELECT 1 FROM iam_inline_policies WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n);", owner)
                && !await ExistsAsync(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n);", owner),
                IamConflict.DeleteConflict, "Cannot delete entity, must delete access keys, policies and attachments first.");
            await ExecuteAsync(c, t, "DELETE FROM iam_users WHERE account_id = @a AND lower(user_name) = lower(@n);", owner[..2]);
        }, cancellationToken);

    public Task CreateAccessKeyAsync(IamAccessKeyRecord key, int maxKeys, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequireUserAsync(c, t, key.AccountId, key.UserName);
            await using (var count = PostgresDatabase.Command(c, "SELECT COUNT(*) FROM iam_access_keys WHERE account_id = @a AND lower(user_name) = lower(@n);", t,
                ("@a", key.AccountId), ("@n", key.UserName)))
            {
                Require((long)(await count.ExecuteScalarAsync())! < maxKeys, IamConflict.LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: {maxKeys}");
            }

            await ExecuteAsync(c, t, "INSERT INTO iam_access_keys (access_key_id, account_id, user_name, sealed_secret, active, create_date) VALUES (@k, @a, @n, @s, @x, @d);",
                ("@k", key.AccessKeyId), ("@a", key.AccountId), ("@n", key.UserName), ("@s", key.SealedSecret), ("@x", key.Active), ("@d", key.CreateDate));
        }, cancellationToken);

    public Task SetAccessKeyActiveAsync(string accountId, string userName, string accessKeyId, bool active, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) => Require(
            await ExecuteAsync(c, t, "UPDATE iam_access_keys SET active = @x WHERE access_key_id = @k AND account_id = @a AND lower(user_name) = lower(@n);",
                ("@x", active), ("@k", accessKeyId), ("@a", accountId), ("@n", userName)) == 1,
            IamConflict.NoSuchEntity, $"The Access Key with id {accessKeyId} cannot be found."), cancellationToken);

    public Task DeleteAccessKeyAsync(string accountId, string userName, string accessKeyId, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) => Require(
            await ExecuteAsync(c, t, "DELETE FROM iam_access_keys WHERE access_key_id = @k AND account_id = @a AND lower(user_name) = lower(@n);",
                ("@k", accessKeyId), ("@a", accountId), ("@n", userName)) == 1,
            IamConflict.NoSuchEntity, $"The Access Key with id {accessKeyId} cannot be found."), cancellationToken);

    public Task CreateRoleAsync(IamRoleRecord role, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_roles WHERE account_id = @a AND lower(role_name) = lower(@n);", ("@a", role.AccountId), ("@n", role.RoleName)),
                IamConflict.EntityAlreadyExists, $"Role with name {role.RoleName} already exists.");
            await ExecuteAsync(c, t,
                "INSERT INTO iam_roles (account_id, role_name, role_id, trust_policy, max_session_duration, description, create_date) VALUES (@a, @n, @i, @p, @m, @s, @d);",
                ("@a", role.AccountId), ("@n", role.RoleName), ("@i", role.RoleId), ("@p", role.TrustPolicy), ("@m", role.MaxSessionDuration), ("@s", role.Description), ("@d", role.CreateDate));
        }, cancellationToken);

    public Task UpdateTrustPolicyAsync(string accountId, string roleName, string trustPolicy, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) => Require(
            await ExecuteAsync(c, t, "UPDATE iam_roles SET trust_policy = @p WHERE account_id = @a AND lower(role_name) = lower(@n);", ("@p", trustPolicy), ("@a", accountId), ("@n", roleName)) == 1,
            IamConflict.NoSuchEntity, $"The role with name {roleName} cannot be found."), cancellationToken);

    public Task DeleteRoleAsync(string accountId, string roleName, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            var owner = new (string, object?)[] { ("@a", accountId), ("@n", roleName), ("@k", nameof(IamPrincipalKind.Role)) };
            Require(await ExistsAsync(c, t, "SELECT 1 FROM iam_roles WHERE account_id = @a AND lower(role_name) = lower(@n);", owner[..2]),
                IamConflict.NoSuchEntity, $"The role with name {roleName} cannot be found.");
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_inline_policies WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n);", owner)
                && !await ExistsAsync(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n);", owner),
                IamConflict.DeleteConflict, "Cannot delete entity, must detach all policies first.");
            await ExecuteAsync(c, t, "DELETE FROM iam_roles WHERE account_id = @a AND lower(role_name) = lower(@n);", owner[..2]);
        }, cancellationToken);

    public Task PutInlinePolicyAsync(IamInlinePolicyRecord policy, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequirePrincipalAsync(c, t, policy.AccountId, policy.Kind, policy.PrincipalName);
            var row = new (string, object?)[] { ("@a", policy.AccountId), ("@k", policy.Kind.ToString()), ("@n", policy.PrincipalName), ("@p", policy.PolicyName), ("@d", policy.Document) };
            if (await ExecuteAsync(c, t,
                "UPDATE iam_inline_policies SET document = @d WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n) AND lower(policy_name) = lower(@p);", row) == 0)
            {
                await ExecuteAsync(c, t, "INSERT INTO iam_inline_policies (account_id, principal_kind, principal_name, policy_name, document) VALUES (@a, @k, @n, @p, @d);", row);
            }
        }, cancellationToken);

    public Task DeleteInlinePolicyAsync(string accountId, IamPrincipalKind kind, string principalName, string policyName, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequirePrincipalAsync(c, t, accountId, kind, principalName);
            Require(await ExecuteAsync(c, t,
                    "DELETE FROM iam_inline_policies WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n) AND lower(policy_name) = lower(@p);",
                    ("@a", accountId), ("@k", kind.ToString()), ("@n", principalName), ("@p", policyName)) == 1,
                IamConflict.NoSuchEntity, $"The {kind.ToString().ToLowerInvariant()} policy with name {policyName} cannot be found.");
        }, cancellationToken);

    public Task CreatePolicyAsync(IamManagedPolicyRecord policy, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_policies WHERE account_id = @a AND lower(policy_name) = lower(@n);", ("@a", policy.AccountId), ("@n", policy.PolicyName)),
                IamConflict.EntityAlreadyExists, $"A policy called {policy.PolicyName} already exists. Duplicate names are not allowed.");
            await ExecuteAsync(c, t,
                "INSERT INTO iam_policies (account_id, policy_name, policy_id, default_version, description, create_date) VALUES (@a, @n, @i, @v, @s, @d);",
                ("@a", policy.AccountId), ("@n", policy.PolicyName), ("@i", policy.PolicyId), ("@v", policy.DefaultVersion), ("@s", policy.Description), ("@d", policy.CreateDate));
            foreach (var version in policy.Versions)
            {
                await InsertVersionAsync(c, t, policy.AccountId, policy.PolicyName, version);
            }
        }, cancellationToken);

    public Task<int> CreatePolicyVersionAsync(string accountId, string policyName, string document, bool setAsDefault, int maxVersions, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequirePolicyAsync(c, t, accountId, policyName);
            long count, highest;
            await using (var query = PostgresDatabase.Command(c,
                "SELECT COUNT(*), COALESCE(MAX(version), 0) FROM iam_policy_versions WHERE account_id = @a AND lower(policy_name) = lower(@n);", t, ("@a", accountId), ("@n", policyName)))
            await using (var reader = await query.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                (count, highest) = (reader.GetInt64(0), reader.GetInt32(1));
            }

            Require(count < maxVersions, IamConflict.LimitExceeded,
                $"A managed policy can have up to {maxVersions} versions. Before you create a new version, you must delete an existing version.");
            var version = (int)highest + 1;
            await InsertVersionAsync(c, t, accountId, policyName, new IamPolicyVersionRecord(version, document, now));
            if (setAsDefault)
            {
                await ExecuteAsync(c, t, "UPDATE iam_policies SET default_version = @v WHERE account_id = @a AND lower(policy_name) = lower(@n);", ("@v", version), ("@a", accountId), ("@n", policyName));
            }

            return version;
        }, cancellationToken);

    public Task SetDefaultPolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequireVersionAsync(c, t, accountId, policyName, version);
            await ExecuteAsync(c, t, "UPDATE iam_policies SET default_version = @v WHERE account_id = @a AND lower(policy_name) = lower(@n);", ("@v", version), ("@a", accountId), ("@n", policyName));
        }, cancellationToken);

    public Task DeletePolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequireVersionAsync(c, t, accountId, policyName, version);
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_policies WHERE account_id = @a AND lower(policy_name) = lower(@n) AND default_version = @v;",
                    ("@a", accountId), ("@n", policyName), ("@v", version)),
                IamConflict.DeleteConflict, "Cannot delete the default version of a policy.");
            await ExecuteAsync(c, t, "DELETE FROM iam_policy_versions WHERE account_id = @a AND lower(policy_name) = lower(@n) AND version = @v;", ("@a", accountId), ("@n", policyName), ("@v", version));
        }, cancellationToken);

    public Task DeletePolicyAsync(string accountId, string policyName, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            var policy = new (string, object?)[] { ("@a", accountId), ("@n", policyName) };
            await RequirePolicyAsync(c, t, accountId, policyName);
            Require(!await ExistsAsync(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = @a AND lower(policy_name) = lower(@n);", policy),
                IamConflict.DeleteConflict, "Cannot delete a policy attached to entities.");
            Require(!await ExistsAsync(c, t,
                    "SELECT 1 FROM iam_policy_versions v JOIN iam_policies p ON p.account_id = v.account_id AND lower(p.policy_name) = lower(v.policy_name) "
                    + "WHERE v.account_id = @a AND lower(v.policy_name) = lower(@n) AND v.version <> p.default_version;", policy),
                IamConflict.DeleteConflict,
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
            await ExecuteAsync(c, t, "DELETE FROM iam_policy_versions WHERE account_id = @a AND lower(policy_name) = lower(@n);", policy);
            await ExecuteAsync(c, t, "DELETE FROM iam_policies WHERE account_id = @a AND lower(policy_name) = lower(@n);", policy);
        }, cancellationToken);

    public Task AttachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequirePrincipalAsync(c, t, attachment.AccountId, attachment.Kind, attachment.PrincipalName);
            await RequirePolicyAsync(c, t, attachment.AccountId, attachment.PolicyName);
            await ExecuteAsync(c, t,
                "INSERT INTO iam_attachments (account_id, principal_kind, principal_name, policy_name) VALUES (@a, @k, @n, @p) ON CONFLICT DO NOTHING;",
                ("@a", attachment.AccountId), ("@k", attachment.Kind.ToString()), ("@n", attachment.PrincipalName), ("@p", attachment.PolicyName));
        }, cancellationToken);

    public Task DetachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await RequirePrincipalAsync(c, t, attachment.AccountId, attachment.Kind, attachment.PrincipalName);
            Require(await ExecuteAsync(c, t,
                    "DELETE FROM iam_attachments WHERE account_id = @a AND principal_kind = @k AND lower(principal_name) = lower(@n) AND lower(policy_name) = lower(@p);",
                    ("@a", attachment.AccountId), ("@k", attachment.Kind.ToString()), ("@n", attachment.PrincipalName), ("@p", attachment.PolicyName)) == 1,
                IamConflict.NoSuchEntity, $"Policy {attachment.PolicyName} was not found or is not attached.");
        }, cancellationToken);

    public Task CreateSessionAsync(StsSessionRecord session, CancellationToken cancellationToken = default) =>
        WriteAsync((c, t) => ExecuteAsync(c, t,
            "INSERT INTO sts_sessions (access_key_id, account_id, role_name, role_id, session_name, sealed_secret, token_hash, expiration) VALUES (@k, @a, @r, @i, @s, @x, @h, @e);",
            ("@k", session.AccessKeyId), ("@a", session.AccountId), ("@r", session.RoleName), ("@i", session.RoleId), ("@s", session.SessionName),
            ("@x", session.SealedSecret), ("@h", session.TokenHash), ("@e", session.Expiration)), cancellationToken);

    public Task PurgeSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync((c, t) => ExecuteAsync(c, t, "DELETE FROM sts_sessions WHERE expiration < @e;", ("@e", now)), cancellationToken);

    public Task PutBucketPolicyAsync(BucketPolicyRecord policy, CancellationToken cancellationToken = default) =>
        WriteAsync((c, t) => ExecuteAsync(c, t,
            "INSERT INTO bucket_policies (bucket, owner_id, document) VALUES (@b, @o, @d) ON CONFLICT (bucket) DO UPDATE SET owner_id = excluded.owner_id, document = excluded.document;",
            ("@b", policy.Bucket), ("@o", policy.OwnerId), ("@d", policy.Document)), cancellationToken);

    public Task DeleteBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default) =>
        WriteAsync((c, t) => ExecuteAsync(c, t, "DELETE FROM bucket_policies WHERE bucket = @b;", ("@b", bucket)), cancellationToken);

    /// <summary>Takes the generation row's lock first (serializing IAM changes cluster-wide), then runs the change.</summary>
    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        db.WriteAsync(async (c, t) =>
        {
            await ExecuteAsync(c, t, "UPDATE iam_generation SET value = value + 1;");
            return await work(c, t);
        }, cancellationToken);

    private Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);

    private static Task InsertVersionAsync(NpgsqlConnection c, NpgsqlTransaction t, string accountId, string policyName, IamPolicyVersionRecord version) =>
        ExecuteAsync(c, t, "INSERT INTO iam_policy_versions (account_id, policy_name, version, document, create_date) VALUES (@a, @n, @v, @d, @t);",
            ("@a", accountId), ("@n", policyName), ("@v", version.Version), ("@d", version.Document), ("@t", version.CreateDate));

    private static async Task RequireUserAsync(NpgsqlConnection c, NpgsqlTransaction t, string accountId, string userName) =>
        Require(await ExistsAsync(c, t, "SELECT 1 FROM iam_users WHERE account_id = @a AND lower(user_name) = lower(@n);", ("@a", accountId), ("@n", userName)),
            IamConflict.NoSuchEntity, $"The user with name {userName} cannot be found.");

    private static async Task RequirePrincipalAsync(NpgsqlConnection c, NpgsqlTransaction t, string accountId, IamPrincipalKind kind, string name)
    {
        if (kind == IamPrincipalKind.User)
        {
            await RequireUserAsync(c, t, accountId, name);
            return;
        }

        Require(await ExistsAsync(c, t, "SELECT 1 FROM iam_roles WHERE account_id = @a AND lower(role_name) = lower(@n);", ("@a", accountId), ("@n", name)),
            IamConflict.NoSuchEntity, $"The role with name {name} cannot be found.");
    }

    private static async Task RequirePolicyAsync(NpgsqlConnection c, NpgsqlTransaction t, string accountId, string policyName) =>
        Require(await ExistsAsync(c, t, "SELECT 1 FROM iam_policies WHERE account_id = @a AND lower(policy_name) = lower(@n);", ("@a", accountId), ("@n", policyName)),
            IamConflict.NoSuchEntity, $"Policy {policyName} does not exist or is not attachable.");

    private static async Task RequireVersionAsync(NpgsqlConnection c, NpgsqlTransaction t, string accountId, string policyName, int version)
    {
        await RequirePolicyAsync(c, t, accountId, policyName);
        Require(await ExistsAsync(c, t, "SELECT 1 FROM iam_policy_versions WHERE account_id = @a AND lower(policy_name) = lower(@n) AND version = @v;",
                ("@a", accountId), ("@n", policyName), ("@v", version)),
            IamConflict.NoSuchEntity, $"Policy {policyName} version v{version} does not exist or is not attachable.");
    }

    private static void Require(bool condition, IamConflict conflict, string message)
    {
        if (!condition)
        {
            throw new IamConflictException(conflict, message);
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection c, NpgsqlTransaction t, string sql, params (string, object?)[] parameters)
    {
        await using var command = PostgresDatabase.Command(c, sql, t, parameters);
        return await command.ExecuteScalarAsync() is not null;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection c, NpgsqlTransaction t, string sql, params (string, object?)[] parameters)
    {
        await using var command = PostgresDatabase.Command(c, sql, t, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<T>> RowsAsync<T>(NpgsqlConnection c, NpgsqlTransaction t, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = PostgresDatabase.Command(c, sql, t);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static DateTimeOffset Date(NpgsqlDataReader reader, int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal), TimeSpan.Zero);
}
