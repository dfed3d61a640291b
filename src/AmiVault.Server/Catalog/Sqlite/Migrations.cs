namespace AmiVault.Catalog.Sqlite;

/// <summary>
/// The catalog schema as an append-only list: migration N+1 runs on a catalog at version N, in one transaction.
/// Never edit a migration that has shipped; add the next one.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<string> All =
    [
        // 1: images, snapshots and their blocks, tags, account settings.
        """
        CREATE TABLE images (
            image_id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            creation_date TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE UNIQUE INDEX images_owner_name ON images(owner_id, name);
        CREATE TABLE image_snapshots (
            image_id TEXT NOT NULL REFERENCES images(image_id) ON DELETE CASCADE,
            snapshot_id TEXT NOT NULL,
            PRIMARY KEY (image_id, snapshot_id)
        );
        CREATE INDEX image_snapshots_snapshot ON image_snapshots(snapshot_id);
        CREATE TABLE snapshots (
            snapshot_id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            status TEXT NOT NULL,
            client_token TEXT,
            deadline TEXT,
            record TEXT NOT NULL
        );
        CREATE INDEX snapshots_owner ON snapshots(owner_id);
        CREATE UNIQUE INDEX snapshots_client_token ON snapshots(owner_id, client_token) WHERE client_token IS NOT NULL;
        CREATE TABLE snapshot_blocks (
            snapshot_id TEXT NOT NULL REFERENCES snapshots(snapshot_id) ON DELETE CASCADE,
            block_index INTEGER NOT NULL,
            hash BLOB NOT NULL,
            PRIMARY KEY (snapshot_id, block_index)
        ) WITHOUT ROWID;
        CREATE INDEX snapshot_blocks_hash ON snapshot_blocks(hash);
        CREATE TABLE tags (
            resource_id TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (resource_id, key)
        );
        CREATE INDEX tags_owner ON tags(owner_id);
        CREATE TABLE account_settings (
            account_id TEXT PRIMARY KEY,
            encryption_by_default INTEGER NOT NULL
        );
        """,

        // 2: store and restore tasks.
        """
        CREATE TABLE store_tasks (
            task_id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            image_id TEXT NOT NULL,
            bucket TEXT NOT NULL,
            state TEXT NOT NULL,
            start_time TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX store_tasks_owner ON store_tasks(owner_id, start_time);
        CREATE INDEX store_tasks_state ON store_tasks(state);
        CREATE TABLE restore_tasks (
            task_id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            image_id TEXT NOT NULL,
            state TEXT NOT NULL,
            start_time TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX restore_tasks_state ON restore_tasks(state);
        """,

        // 3: which block rows of a snapshot were copied from its parent rather than written to it (EBS
        // CompleteSnapshot counts and checksums only the written ones).
        """
        ALTER TABLE snapshot_blocks ADD COLUMN inherited INTEGER NOT NULL DEFAULT 0;
        """,

        // 4: the block store's index: where each stored block's record lies in the pack files, and how much of each
        // pack is still live (what compaction looks at).
        """
        CREATE TABLE block_packs (
            pack_id INTEGER PRIMARY KEY,
            live_bytes INTEGER NOT NULL DEFAULT 0,
            live_blocks INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE block_locations (
            hash BLOB PRIMARY KEY,
            pack_id INTEGER NOT NULL REFERENCES block_packs(pack_id),
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX block_locations_pack ON block_locations(pack_id, offset);
        """,

        // 5: SSM parameters (one row per version, the record as JSON) and their tags.
        """
        CREATE TABLE parameters (
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (owner_id, name, version)
        ) WITHOUT ROWID;
        CREATE TABLE parameter_tags (
            owner_id TEXT NOT NULL,
            name TEXT NOT NULL,
            tags TEXT NOT NULL,
            PRIMARY KEY (owner_id, name)
        ) WITHOUT ROWID;
        """,

        // 6: IAM: users, access keys (secrets sealed with a server key kept outside the catalog), roles, managed
        // policies and their versions, inline policies, attachments, STS sessions, bucket policies; a generation every IAM change
        // bumps, so a server sees when its in-memory copy is stale.
        """
        CREATE TABLE iam_users (
            account_id TEXT NOT NULL,
            user_name TEXT NOT NULL COLLATE NOCASE,
            user_id TEXT NOT NULL UNIQUE,
            create_date TEXT NOT NULL,
            PRIMARY KEY (account_id, user_name)
        );
        CREATE TABLE iam_access_keys (
            access_key_id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            user_name TEXT NOT NULL COLLATE NOCASE,
            sealed_secret BLOB NOT NULL,
            active INTEGER NOT NULL,
            create_date TEXT NOT NULL,
            FOREIGN KEY (account_id, user_name) REFERENCES iam_users(account_id, user_name)
        );
        CREATE INDEX iam_access_keys_user ON iam_access_keys(account_id, user_name);
        CREATE TABLE iam_roles (
            account_id TEXT NOT NULL,
            role_name TEXT NOT NULL COLLATE NOCASE,
            role_id TEXT NOT NULL UNIQUE,
            trust_policy TEXT NOT NULL,
            max_session_duration INTEGER NOT NULL,
            description TEXT NOT NULL,
            create_date TEXT NOT NULL,
            PRIMARY KEY (account_id, role_name)
        );
        CREATE TABLE iam_policies (
            account_id TEXT NOT NULL,
            policy_name TEXT NOT NULL COLLATE NOCASE,
            policy_id TEXT NOT NULL UNIQUE,
            default_version INTEGER NOT NULL,
            description TEXT NOT NULL,
            create_date TEXT NOT NULL,
            PRIMARY KEY (account_id, policy_name)
        );
        CREATE TABLE iam_policy_versions (
            account_id TEXT NOT NULL,
            policy_name TEXT NOT NULL COLLATE NOCASE,
            version INTEGER NOT NULL,
            document TEXT NOT NULL,
            create_date TEXT NOT NULL,
            PRIMARY KEY (account_id, policy_name, version),
            FOREIGN KEY (account_id, policy_name) REFERENCES iam_policies(account_id, policy_name) ON DELETE CASCADE
        );
        CREATE TABLE iam_inline_policies (
            account_id TEXT NOT NULL,
            principal_kind TEXT NOT NULL,
            principal_name TEXT NOT NULL COLLATE NOCASE,
            policy_name TEXT NOT NULL COLLATE NOCASE,
            document TEXT NOT NULL,
            PRIMARY KEY (account_id, principal_kind, principal_name, policy_name)
        );
        CREATE TABLE iam_attachments (
            account_id TEXT NOT NULL,
            principal_kind TEXT NOT NULL,
            principal_name TEXT NOT NULL COLLATE NOCASE,
            policy_name TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (account_id, principal_kind, principal_name, policy_name),
            FOREIGN KEY (account_id, policy_name) REFERENCES iam_policies(account_id, policy_name)
        );
        CREATE TABLE sts_sessions (
            access_key_id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            role_name TEXT NOT NULL,
            role_id TEXT NOT NULL,
            session_name TEXT NOT NULL,
            sealed_secret BLOB NOT NULL,
            token_hash BLOB NOT NULL,
            expiration TEXT NOT NULL
        );
        CREATE TABLE bucket_policies (
            bucket TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE TABLE iam_generation (value INTEGER NOT NULL);
        INSERT INTO iam_generation VALUES (0);
        """,

        // 7: the accounts an image (launch permission) or a snapshot (create volume permission) is shared with.
        """
        CREATE TABLE resource_permissions (
            resource_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            PRIMARY KEY (resource_id, account_id)
        ) WITHOUT ROWID;
        CREATE INDEX resource_permissions_account ON resource_permissions(account_id, resource_id);
        """,
    ];
}
