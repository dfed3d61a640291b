using System.Globalization;
using AmiVault.Catalog.Iam;
using Microsoft.Data.Sqlite;

namespace AmiVault.Catalog.Sqlite;

internal sealed class SqliteIamCatalog(SqliteDatabase db) : IIamCatalog
{
    public long Generation() => db.Read(c =>
    {
        using var command = SqliteDatabase.Command(c, "SELECT value FROM iam_generation;");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    public IamContents Load() => db.Read(c =>
    {
        // One read transaction: WAL gives it one consistent snapshot of every table.
        using var snapshot = c.BeginTransaction(deferred: true);
        long generation;
        using (var command = SqliteDatabase.Command(c, "SELECT value FROM iam_generation;", snapshot))
        {
            generation = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var users = Rows(c, snapshot, "SELECT account_id, user_name, user_id, create_date FROM iam_users ORDER BY account_id, user_name;",
            r => new IamUserRecord(r.GetString(0), r.GetString(1), r.GetString(2), Date(r, 3)));
        var keys = Rows(c, snapshot, "SELECT access_key_id, account_id, user_name, sealed_secret, active, create_date FROM iam_access_keys ORDER BY create_date;",
            r => new IamAccessKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r[3], r.GetInt64(4) != 0, Date(r, 5)));
        var roles = Rows(c, snapshot, "SELECT account_id, role_name, role_id, trust_policy, max_session_duration, description, create_date FROM iam_roles ORDER BY account_id, role_name;",
            r => new IamRoleRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), Date(r, 6)));
        var versions = Rows(c, snapshot, "SELECT account_id, policy_name, version, document, create_date FROM iam_policy_versions ORDER BY version;",
            r => (Account: r.GetString(0), Policy: r.GetString(1), Version: new IamPolicyVersionRecord(r.GetInt32(2), r.GetString(3), Date(r, 4))))
            .ToLookup(v => (v.Account, v.Policy.ToUpperInvariant()), v => v.Version);
        var policies = Rows(c, snapshot, "SELECT account_id, policy_name, policy_id, default_version, description, create_date FROM iam_policies ORDER BY account_id, policy_name;",
            r => new IamManagedPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), Date(r, 5), []));
        policies = [.. policies.Select(p => p with { Versions = [.. versions[(p.AccountId, p.PolicyName.ToUpperInvariant())]] })];
        var inline = Rows(c, snapshot, "SELECT account_id, principal_kind, principal_name, policy_name, document FROM iam_inline_policies ORDER BY policy_name;",
            r => new IamInlinePolicyRecord(r.GetString(0), Enum.Parse<IamPrincipalKind>(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4)));
        var attachments = Rows(c, snapshot, "SELECT account_id, principal_kind, principal_name, policy_name FROM iam_attachments ORDER BY policy_name;",
            r => new IamAttachmentRecord(r.GetString(0), Enum.Parse<IamPrincipalKind>(r.GetString(1)), r.GetString(2), r.GetString(3)));
        var sessions = Rows(c, snapshot, "SELECT access_key_id, account_id, role_name, role_id, session_name, sealed_secret, token_hash, expiration FROM sts_sessions;",
            r => new StsSessionRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), (byte[])r[5], (byte[])r[6], Date(r, 7)));
        var bucketPolicies = Rows(c, snapshot, "SELECT bucket, owner_id, document FROM bucket_policies;",
            r => new BucketPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2)));
        return new IamContents(generation, users, keys, roles, policies, inline, attachments, sessions, bucketPolicies);
    });

    public Task CreateUserAsync(IamUserRecord user, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            Require(!Exists(c, t, "SELECT 1 FROM iam_users WHERE account_id = $a AND user_name = $n;", ("$a", user.AccountId), ("$n", user.UserName)),
                IamConflict.EntityAlreadyExists, $"User with name {user.UserName} already exists.");
            Execute(c, t, "INSERT INTO iam_users VALUES ($a, $n, $i, $d);", ("$a", user.AccountId), ("$n", user.UserName), ("$i", user.UserId), ("$d", Text(user.CreateDate)));
        }, cancellationToken);

    public Task DeleteUserAsync(string accountId, string userName, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequireUser(c, t, accountId, userName);
            var owner = new (string, object?)[] { ("$a", accountId), ("$n", userName), ("$k", nameof(IamPrincipalKind.User)) };
            Require(!Exists(c, t, "SELECT 1 FROM iam_access_keys WHERE account_id = $a AND user_name = $n;", owner[..2])
                && !Exists(c, t, "SELECT 1 FROM iam_inline_policies WHERE account_id = $a AND principal_kind = $k AND principal_name = $n;", owner)
                && !Exists(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = $a AND principal_kind = $k AND principal_name = $n;", owner),
                IamConflict.DeleteConflict, "Cannot delete entity, must delete access keys, policies and attachments first.");
            Execute(c, t, "DELETE FROM iam_users WHERE account_id = $a AND user_name = $n;", owner[..2]);
        }, cancellationToken);

    public Task CreateAccessKeyAsync(IamAccessKeyRecord key, int maxKeys, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequireUser(c, t, key.AccountId, key.UserName);
            using (var count = SqliteDatabase.Command(c, "SELECT COUNT(*) FROM iam_access_keys WHERE account_id = $a AND user_name = $n;", t, ("$a", key.AccountId), ("$n", key.UserName)))
            {
                Require(Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture) < maxKeys,
                    IamConflict.LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: {maxKeys}");
            }

            Execute(c, t, "INSERT INTO iam_access_keys VALUES ($k, $a, $n, $s, $x, $d);",
                ("$k", key.AccessKeyId), ("$a", key.AccountId), ("$n", key.UserName), ("$s", key.SealedSecret), ("$x", key.Active ? 1 : 0), ("$d", Text(key.CreateDate)));
        }, cancellationToken);

    public Task SetAccessKeyActiveAsync(string accountId, string userName, string accessKeyId, bool active, CancellationToken cancellationToken = default) =>
        Write((c, t) => Require(
            Execute(c, t, "UPDATE iam_access_keys SET active = $x WHERE access_key_id = $k AND account_id = $a AND user_name = $n;",
                ("$x", active ? 1 : 0), ("$k", accessKeyId), ("$a", accountId), ("$n", userName)) == 1,
            IamConflict.NoSuchEntity, $"The Access Key with id {accessKeyId} cannot be found."), cancellationToken);

    public Task DeleteAccessKeyAsync(string accountId, string userName, string accessKeyId, CancellationToken cancellationToken = default) =>
        Write((c, t) => Require(
            Execute(c, t, "DELETE FROM iam_access_keys WHERE access_key_id = $k AND account_id = $a AND user_name = $n;",
                ("$k", accessKeyId), ("$a", accountId), ("$n", userName)) == 1,
            IamConflict.NoSuchEntity, $"The Access Key with id {accessKeyId} cannot be found."), cancellationToken);

    public Task CreateRoleAsync(IamRoleRecord role, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            Require(!Exists(c, t, "SELECT 1 FROM iam_roles WHERE account_id = $a AND role_name = $n;", ("$a", role.AccountId), ("$n", role.RoleName)),
                IamConflict.EntityAlreadyExists, $"Role with name {role.RoleName} already exists.");
            Execute(c, t, "INSERT INTO iam_roles VALUES ($a, $n, $i, $p, $m, $s, $d);",
                ("$a", role.AccountId), ("$n", role.RoleName), ("$i", role.RoleId), ("$p", role.TrustPolicy), ("$m", role.MaxSessionDuration), ("$s", role.Description), ("$d", Text(role.CreateDate)));
        }, cancellationToken);

    public Task UpdateTrustPolicyAsync(string accountId, string roleName, string trustPolicy, CancellationToken cancellationToken = default) =>
        Write((c, t) => Require(
            Execute(c, t, "UPDATE iam_roles SET trust_policy = $p WHERE account_id = $a AND role_name = $n;", ("$p", trustPolicy), ("$a", accountId), ("$n", roleName)) == 1,
            IamConflict.NoSuchEntity, $"The role with name {roleName} cannot be found."), cancellationToken);

    public Task DeleteRoleAsync(string accountId, string roleName, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            var owner = new (string, object?)[] { ("$a", accountId), ("$n", roleName), ("$k", nameof(IamPrincipalKind.Role)) };
            Require(Exists(c, t, "SELECT 1 FROM iam_roles WHERE account_id = $a AND role_name = $n;", owner[..2]),
                IamConflict.NoSuchEntity, $"The role with name {roleName} cannot be found.");
            Require(!Exists(c, t, "SELECT 1 FROM iam_inline_policies WHERE account_id = $a AND principal_kind = $k AND principal_name = $n;", owner)
                && !Exists(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = $a AND principal_kind = $k AND principal_name = $n;", owner),
                IamConflict.DeleteConflict, "Cannot delete entity, must detach all policies first.");
            Execute(c, t, "DELETE FROM iam_roles WHERE account_id = $a AND role_name = $n;", owner[..2]);
        }, cancellationToken);

    public Task PutInlinePolicyAsync(IamInlinePolicyRecord policy, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePrincipal(c, t, policy.AccountId, policy.Kind, policy.PrincipalName);
            Execute(c, t,
                "INSERT INTO iam_inline_policies VALUES ($a, $k, $n, $p, $d) ON CONFLICT (account_id, principal_kind, principal_name, policy_name) DO UPDATE SET document = excluded.document;",
                ("$a", policy.AccountId), ("$k", policy.Kind.ToString()), ("$n", policy.PrincipalName), ("$p", policy.PolicyName), ("$d", policy.Document));
        }, cancellationToken);

    public Task DeleteInlinePolicyAsync(string accountId, IamPrincipalKind kind, string principalName, string policyName, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePrincipal(c, t, accountId, kind, principalName);
            Require(Execute(c, t, "DELETE FROM iam_inline_policies WHERE account_id = $a AND principal_kind = $k AND principal_name = $n AND policy_name = $p;",
                    ("$a", accountId), ("$k", kind.ToString()), ("$n", principalName), ("$p", policyName)) == 1,
                IamConflict.NoSuchEntity, $"The {kind.ToString().ToLowerInvariant()} policy with name {policyName} cannot be found.");
        }, cancellationToken);

    public Task CreatePolicyAsync(IamManagedPolicyRecord policy, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            Require(!Exists(c, t, "SELECT 1 FROM iam_policies WHERE account_id = $a AND policy_name = $n;", ("$a", policy.AccountId), ("$n", policy.PolicyName)),
                IamConflict.EntityAlreadyExists, $"A policy called {policy.PolicyName} already exists. Duplicate names are not allowed.");
            Execute(c, t, "INSERT INTO iam_policies VALUES ($a, $n, $i, $v, $s, $d);",
                ("$a", policy.AccountId), ("$n", policy.PolicyName), ("$i", policy.PolicyId), ("$v", policy.DefaultVersion), ("$s", policy.Description), ("$d", Text(policy.CreateDate)));
            foreach (var version in policy.Versions)
            {
                InsertVersion(c, t, policy.AccountId, policy.PolicyName, version);
            }
        }, cancellationToken);

    public Task<int> CreatePolicyVersionAsync(string accountId, string policyName, string document, bool setAsDefault, int maxVersions, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePolicy(c, t, accountId, policyName);
            var (count, highest) = Scalar2(c, t, "SELECT COUNT(*), COALESCE(MAX(version), 0) FROM iam_policy_versions WHERE account_id = $a AND policy_name = $n;", ("$a", accountId), ("$n", policyName));
            Require(count < maxVersions, IamConflict.LimitExceeded, $"A managed policy can have up to {maxVersions} versions. Before you create a new version, you must delete an existing version.");
            var version = (int)highest + 1;
            InsertVersion(c, t, accountId, policyName, new IamPolicyVersionRecord(version, document, now));
            if (setAsDefault)
            {
                Execute(c, t, "UPDATE iam_policies SET default_version = $v WHERE account_id = $a AND policy_name = $n;", ("$v", version), ("$a", accountId), ("$n", policyName));
            }

            return version;
        }, cancellationToken);

    public Task SetDefaultPolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequireVersion(c, t, accountId, policyName, version);
            Execute(c, t, "UPDATE iam_policies SET default_version = $v WHERE account_id = $a AND policy_name = $n;", ("$v", version), ("$a", accountId), ("$n", policyName));
        }, cancellationToken);

    public Task DeletePolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequireVersion(c, t, accountId, policyName, version);
            Require(!Exists(c, t, "SELECT 1 FROM iam_policies WHERE account_id = $a AND policy_name = $n AND default_version = $v;", ("$a", accountId), ("$n", policyName), ("$v", version)),
                IamConflict.DeleteConflict, "Cannot delete the default version of a policy.");
            Execute(c, t, "DELETE FROM iam_policy_versions WHERE account_id = $a AND policy_name = $n AND version = $v;", ("$a", accountId), ("$n", policyName), ("$v", version));
        }, cancellationToken);

    public Task DeletePolicyAsync(string accountId, string policyName, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePolicy(c, t, accountId, policyName);
            Require(!Exists(c, t, "SELECT 1 FROM iam_attachments WHERE account_id = $a AND policy_name = $n;", ("$a", accountId), ("$n", policyName)),
                IamConflict.DeleteConflict, "Cannot delete a policy attached to entities.");
            Require(!Exists(c, t, "SELECT 1 FROM iam_policy_versions v JOIN iam_policies p USING (account_id, policy_name) WHERE v.account_id = $a AND v.policy_name = $n AND v.version <> p.default_version;", ("$a", accountId), ("$n", policyName)),
                IamConflict.DeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
            Execute(c, t, "DELETE FROM iam_policies WHERE account_id = $a AND policy_name = $n;", ("$a", accountId), ("$n", policyName));
        }, cancellationToken);

    public Task AttachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePrincipal(c, t, attachment.AccountId, attachment.Kind, attachment.PrincipalName);
            RequirePolicy(c, t, attachment.AccountId, attachment.PolicyName);
            Execute(c, t, "INSERT OR IGNORE INTO iam_attachments VALUES ($a, $k, $n, $p);",
                ("$a", attachment.AccountId), ("$k", attachment.Kind.ToString()), ("$n", attachment.PrincipalName), ("$p", attachment.PolicyName));
        }, cancellationToken);

    public Task DetachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default) =>
        Write((c, t) =>
        {
            RequirePrincipal(c, t, attachment.AccountId, attachment.Kind, attachment.PrincipalName);
            Require(Execute(c, t, "DELETE FROM iam_attachments WHERE account_id = $a AND principal_kind = $k AND principal_name = $n AND policy_name = $p;",
                    ("$a", attachment.AccountId), ("$k", attachment.Kind.ToString()), ("$n", attachment.PrincipalName), ("$p", attachment.PolicyName)) == 1,
                IamConflict.NoSuchEntity, $"Policy {attachment.PolicyName} was not found or is not attached.");
        }, cancellationToken);

    public Task CreateSessionAsync(StsSessionRecord session, CancellationToken cancellationToken = default) =>
        Write((c, t) => Execute(c, t, "INSERT INTO sts_sessions VALUES ($k, $a, $r, $i, $s, $x, $h, $e);",
            ("$k", session.AccessKeyId), ("$a", session.AccountId), ("$r", session.RoleName), ("$i", session.RoleId), ("$s", session.SessionName),
            ("$x", session.SealedSecret), ("$h", session.TokenHash), ("$e", Text(session.Expiration))), cancellationToken);

    public Task PurgeSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Write((c, t) => Execute(c, t, "DELETE FROM sts_sessions WHERE expiration < $e;", ("$e", Text(now))), cancellationToken);

    public Task PutBucketPolicyAsync(BucketPolicyRecord policy, CancellationToken cancellationToken = default) =>
        Write((c, t) => Execute(c, t,
            "INSERT INTO bucket_policies VALUES ($b, $o, $d) ON CONFLICT (bucket) DO UPDATE SET owner_id = excluded.owner_id, document = excluded.document;",
            ("$b", policy.Bucket), ("$o", policy.OwnerId), ("$d", policy.Document)), cancellationToken);

    public Task DeleteBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default) =>
        Write((c, t) => Execute(c, t, "DELETE FROM bucket_policies WHERE bucket = $b;", ("$b", bucket)), cancellationToken);

    /// <summary>Every IAM change bumps the generation in its own transaction (see <see cref="Generation"/>).</summary>
    private Task Write(Action<SqliteConnection, SqliteTransaction> work, CancellationToken cancellationToken) =>
        Write<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, cancellationToken);

    private Task<T> Write<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        db.WriteAsync((c, t) =>
        {
            var result = work(c, t);
            Execute(c, t, "UPDATE iam_generation SET value = value + 1;");
            return result;
        }, cancellationToken);

    private static void InsertVersion(SqliteConnection c, SqliteTransaction t, string accountId, string policyName, IamPolicyVersionRecord version) =>
        Execute(c, t, "INSERT INTO iam_policy_versions VALUES ($a, $n, $v, $d, $t);",
            ("$a", accountId), ("$n", policyName), ("$v", version.Version), ("$d", version.Document), ("$t", Text(version.CreateDate)));

    private static void RequireUser(SqliteConnection c, SqliteTransaction t, string accountId, string userName) =>
        Require(Exists(c, t, "SELECT 1 FROM iam_users WHERE account_id = $a AND user_name = $n;", ("$a", accountId), ("$n", userName)),
            IamConflict.NoSuchEntity, $"The user with name {userName} cannot be found.");

    private static void RequirePrincipal(SqliteConnection c, SqliteTransaction t, string accountId, IamPrincipalKind kind, string name)
    {
        if (kind == IamPrincipalKind.User)
        {
            RequireUser(c, t, accountId, name);
            return;
        }

        Require(Exists(c, t, "SELECT 1 FROM iam_roles WHERE account_id = $a AND role_name = $n;", ("$a", accountId), ("$n", name)),
            IamConflict.NoSuchEntity, $"The role with name {name} cannot be found.");
    }

    private static void RequirePolicy(SqliteConnection c, SqliteTransaction t, string accountId, string policyName) =>
        Require(Exists(c, t, "SELECT 1 FROM iam_policies WHERE account_id = $a AND policy_name = $n;", ("$a", accountId), ("$n", policyName)),
            IamConflict.NoSuchEntity, $"Policy {policyName} does not exist or is not attachable.");

    private static void RequireVersion(SqliteConnection c, SqliteTransaction t, string accountId, string policyName, int version)
    {
        RequirePolicy(c, t, accountId, policyName);
        Require(Exists(c, t, "SELECT 1 FROM iam_policy_versions WHERE account_id = $a AND policy_name = $n AND version = $v;", ("$a", accountId), ("$n", policyName), ("$v", version)),
            IamConflict.NoSuchEntity, $"Policy {policyName} version v{version} does not exist or is not attachable.");
    }

    private static void Require(bool condition, IamConflict conflict, string message)
    {
        if (!condition)
        {
            throw new IamConflictException(conflict, message);
        }
    }

    private static bool Exists(SqliteConnection c, SqliteTransaction t, string sql, params (string, object?)[] parameters)
    {
        using var command = SqliteDatabase.Command(c, sql, t, parameters);
        return command.ExecuteScalar() is not null;
    }

    private static int Execute(SqliteConnection c, SqliteTransaction t, string sql, params (string, object?)[] parameters)
    {
        using var command = SqliteDatabase.Command(c, sql, t, parameters);
        return command.ExecuteNonQuery();
    }

    private static (long, long) Scalar2(SqliteConnection c, SqliteTransaction t, string sql, params (string, object?)[] parameters)
    {
        using var command = SqliteDatabase.Command(c, sql, t, parameters);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static List<T> Rows<T>(SqliteConnection c, SqliteTransaction t, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = SqliteDatabase.Command(c, sql, t);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static string Text(DateTimeOffset date) => date.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Date(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
