namespace AmiVault.Catalog.Postgres;

/// <summary>
/// The PostgreSQL catalog schema as an append-only list, the twin of <c>Sqlite/Migrations</c>: migration N+1 runs
/// on a catalog at version N, in one transaction, under the migration advisory lock. Never edit a migration that
/// has shipped; add the next one. Records are JSON text beside the searched columns, as in SQLite.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly IReadOnlyList<string> All =
    [
        // 1: what SQLite's migrations 1-3 hold (images, snapshots, blocks, tags, account settings, tasks), plus
        // each task's lease (which node runs it, until when) for cluster mode.
        """
        CREATE TABLE images (
            image_id text PRIMARY KEY,
            owner_id text NOT NULL,
            name text NOT NULL,
            state text NOT NULL,
            creation_date timestamptz NOT NULL,
            record text NOT NULL
        );
        CREATE UNIQUE INDEX images_owner_name ON images(owner_id, name);
        CREATE TABLE image_snapshots (
            image_id text NOT NULL REFERENCES images(image_id) ON DELETE CASCADE,
            snapshot_id text NOT NULL,
            PRIMARY KEY (image_id, snapshot_id)
        );
        CREATE INDEX image_snapshots_snapshot ON image_snapshots(snapshot_id);
        CREATE TABLE snapshots (
            snapshot_id text PRIMARY KEY,
            owner_id text NOT NULL,
            status text NOT NULL,
            client_token text,
            deadline timestamptz,
            record text NOT NULL
        );
        CREATE INDEX snapshots_owner ON snapshots(owner_id);
        CREATE UNIQUE INDEX snapshots_client_token ON snapshots(owner_id, client_token) WHERE client_token IS NOT NULL;
        CREATE TABLE snapshot_blocks (
            snapshot_id text NOT NULL REFERENCES snapshots(snapshot_id) ON DELETE CASCADE,
            block_index bigint NOT NULL,
            hash bytea NOT NULL,
            inherited boolean NOT NULL DEFAULT false,
            PRIMARY KEY (snapshot_id, block_index)
        );
        CREATE INDEX snapshot_blocks_hash ON snapshot_blocks(hash);
        CREATE TABLE tags (
            resource_id text NOT NULL,
            owner_id text NOT NULL,
            resource_type text NOT NULL,
            key text NOT NULL,
            value text NOT NULL,
            PRIMARY KEY (resource_id, key)
        );
        CREATE INDEX tags_owner ON tags(owner_id);
        CREATE TABLE account_settings (
            account_id text PRIMARY KEY,
            encryption_by_default boolean NOT NULL
        );
        CREATE TABLE store_tasks (
            task_id text PRIMARY KEY,
            owner_id text NOT NULL,
            image_id text NOT NULL,
            bucket text NOT NULL,
            state text NOT NULL,
            start_time timestamptz NOT NULL,
            size_bytes bigint NOT NULL,
            record text NOT NULL,
            lease_owner text,
            lease_expires timestamptz
        );
        CREATE INDEX store_tasks_owner ON store_tasks(owner_id, start_time);
        CREATE INDEX store_tasks_state ON store_tasks(state);
        CREATE TABLE restore_tasks (
            task_id text PRIMARY KEY,
            owner_id text NOT NULL,
            image_id text NOT NULL,
            state text NOT NULL,
            start_time timestamptz NOT NULL,
            size_bytes bigint NOT NULL,
            record text NOT NULL,
            lease_owner text,
            lease_expires timestamptz
        );
        CREATE INDEX restore_tasks_state ON restore_tasks(state);
        """,

        // 2: secrets every node signs and verifies with (page tokens, EBS block tokens), sealed with the key from
        // the configuration.
        """
        CREATE TABLE server_keys (
            name text PRIMARY KEY,
            sealed bytea NOT NULL
        );
        """,

        // 3: the block store's index (SQLite's migration 4): where each stored block's record lies in the pack files,
        // and how much of each pack is still live.
        """
        CREATE TABLE block_packs (
            pack_id bigint PRIMARY KEY,
            live_bytes bigint NOT NULL DEFAULT 0,
            live_blocks bigint NOT NULL DEFAULT 0
        );
        CREATE TABLE block_locations (
            hash bytea PRIMARY KEY,
            pack_id bigint NOT NULL REFERENCES block_packs(pack_id),
            "offset" bigint NOT NULL,
            length integer NOT NULL
        );
        CREATE INDEX block_locations_pack ON block_locations(pack_id, "offset");
        """,

        // 4: SSM parameters (SQLite's migration 5): one row per version, the record as JSON, and their tags.
        """
        CREATE TABLE parameters (
            owner_id text NOT NULL,
            name text NOT NULL,
            version bigint NOT NULL,
            record text NOT NULL,
            PRIMARY KEY (owner_id, name, version)
        );
        CREATE TABLE parameter_tags (
            owner_id text NOT NULL,
            name text NOT NULL,
            tags text NOT NULL,
            PRIMARY KEY (owner_id, name)
        );
        """,

        // 5: fencing and the grace of new tasks. lease_generation rises with every claim and is the token a job's
        // writes are checked against, so a node whose lease was taken over cannot commit; admitted_at (the database's
        // clock) lets a task nobody has claimed yet stay its admitting node's for one lease. Tasks from before are
        // claimable at once.
        """
        ALTER TABLE store_tasks ADD COLUMN lease_generation bigint NOT NULL DEFAULT 0;
        ALTER TABLE store_tasks ADD COLUMN admitted_at timestamptz NOT NULL DEFAULT '-infinity';
        ALTER TABLE store_tasks ALTER COLUMN admitted_at SET DEFAULT clock_timestamp();
        ALTER TABLE restore_tasks ADD COLUMN lease_generation bigint NOT NULL DEFAULT 0;
        ALTER TABLE restore_tasks ADD COLUMN admitted_at timestamptz NOT NULL DEFAULT '-infinity';
        ALTER TABLE restore_tasks ALTER COLUMN admitted_at SET DEFAULT clock_timestamp();
        """,

        // 6: IAM (SQLite's migration 6): users, access keys (secrets sealed with a server key), roles, managed policies
        // and their versions, inline policies, attachments, STS sessions, bucket policies; names unique case-insensitively, as in IAM;
        // the generation row every IAM change bumps (and locks, serializing IAM changes across nodes).
        """
        CREATE TABLE iam_users (
            account_id text NOT NULL,
            user_name text NOT NULL,
            user_id text NOT NULL UNIQUE,
            create_date timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX iam_users_name ON iam_users(account_id, lower(user_name));
        CREATE TABLE iam_access_keys (
            access_key_id text PRIMARY KEY,
            account_id text NOT NULL,
            user_name text NOT NULL,
            sealed_secret bytea NOT NULL,
            active boolean NOT NULL,
            create_date timestamptz NOT NULL
        );
        CREATE INDEX iam_access_keys_user ON iam_access_keys(account_id, lower(user_name));
        CREATE TABLE iam_roles (
            account_id text NOT NULL,
            role_name text NOT NULL,
            role_id text NOT NULL UNIQUE,
            trust_policy text NOT NULL,
            max_session_duration integer NOT NULL,
            description text NOT NULL,
            create_date timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX iam_roles_name ON iam_roles(account_id, lower(role_name));
        CREATE TABLE iam_policies (
            account_id text NOT NULL,
            policy_name text NOT NULL,
            policy_id text NOT NULL UNIQUE,
            default_version integer NOT NULL,
            description text NOT NULL,
            create_date timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX iam_policies_name ON iam_policies(account_id, lower(policy_name));
        CREATE TABLE iam_policy_versions (
            account_id text NOT NULL,
            policy_name text NOT NULL,
            version integer NOT NULL,
            document text NOT NULL,
            create_date timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX iam_policy_versions_key ON iam_policy_versions(account_id, lower(policy_name), version);
        CREATE TABLE iam_inline_policies (
            account_id text NOT NULL,
            principal_kind text NOT NULL,
            principal_name text NOT NULL,
            policy_name text NOT NULL,
            document text NOT NULL
        );
        CREATE UNIQUE INDEX iam_inline_policies_key ON iam_inline_policies(account_id, principal_kind, lower(principal_name), lower(policy_name));
        CREATE TABLE iam_attachments (
            account_id text NOT NULL,
            principal_kind text NOT NULL,
            principal_name text NOT NULL,
            policy_name text NOT NULL
        );
        CREATE UNIQUE INDEX iam_attachments_key ON iam_attachments(account_id, principal_kind, lower(principal_name), lower(policy_name));
        CREATE TABLE sts_sessions (
            access_key_id text PRIMARY KEY,
            account_id text NOT NULL,
            role_name text NOT NULL,
            role_id text NOT NULL,
            session_name text NOT NULL,
            sealed_secret bytea NOT NULL,
            token_hash bytea NOT NULL,
            expiration timestamptz NOT NULL
        );
        CREATE TABLE bucket_policies (
            bucket text PRIMARY KEY,
            owner_id text NOT NULL,
            document text NOT NULL
        );
        CREATE TABLE iam_generation (value bigint NOT NULL);
        INSERT INTO iam_generation VALUES (0);
        """,

        // 7: the accounts an image (launch permission) or a snapshot (create volume permission) is shared with.
        """
        CREATE TABLE resource_permissions (
            resource_id text NOT NULL,
            account_id text NOT NULL,
            PRIMARY KEY (resource_id, account_id)
        );
        CREATE INDEX resource_permissions_account ON resource_permissions(account_id, resource_id);
        """,
    ];
}
