using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Catalog.Iam;
using AmiVault.Catalog.Postgres;
using AmiVault.Catalog.Sqlite;
using AmiVault.Console;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.Embedded;
using AmiVault.ObjectStore.External;
using AmiVault.Protocols.Ebs;
using AmiVault.Protocols.Ssm;
using AmiVault.Protocols.Ec2.Actions.Encryption;
using AmiVault.Protocols.Ec2.Actions.Images;
using AmiVault.Protocols.Ec2.Actions.Sharing;
using AmiVault.Protocols.Ec2.Actions.Snapshots;
using AmiVault.Protocols.Ec2.Actions.Tags;
using AmiVault.Protocols.Ec2.Actions.Tasks;
using AmiVault.Protocols.Ec2;
using AmiVault.Protocols.Iam;
using AmiVault.Protocols.Query;
using AmiVault.Protocols.S3;
using AmiVault.Protocols.Sts;
using AmiVault.Tasks;
using AmiVault.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AmiVault.Configuration;
using AmiVault.Signing;
using AmiVault.Protocols;

namespace AmiVault.Hosting;

/// <summary>The composition root: every part of the server and how they are wired. Endpoint order is routing order.</summary>
internal static class ServiceRegistration
{
    public static IServiceCollection AddAmiVault(this IServiceCollection services, ServerContext context, AccountDirectory accounts)
    {
        services.AddSingleton(context);
        services.AddSingleton(accounts);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKeyCache>();
        services.AddSingleton(sp => new SigV4Authenticator(
            sp.GetRequiredService<IamDirectory>(), context.Region, context.Partition, sp.GetRequiredService<SigningKeyCache>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RequestDispatcher>();

        // Catalog: embedded SQLite under the data folder, or a PostgreSQL every node of a cluster shares.
        if (context.Options.Catalog.Backend == CatalogOptions.Postgres)
        {
            services.AddSingleton(_ => new PostgresDatabase(context.Options.Catalog.ConnectionString!));
            services.AddSingleton<IServerKeys>(sp => new PostgresServerKeys(sp.GetRequiredService<PostgresDatabase>(), context.Options.Catalog.SecretsKeyBytes()));
            services.AddSingleton<IImageCatalog, PostgresImageCatalog>();
            services.AddSingleton<ISnapshotCatalog, PostgresSnapshotCatalog>();
            services.AddSingleton<ITagCatalog, PostgresTagCatalog>();
            services.AddSingleton<IParameterCatalog, PostgresParameterCatalog>();
            services.AddSingleton<IAccountSettings, PostgresAccountSettings>();
            services.AddSingleton<ITaskCatalog, PostgresTaskCatalog>();
            services.AddSingleton<ITaskLeases, PostgresTaskLeases>();
            services.AddSingleton<ICatalogHealth, PostgresCatalogHealth>();
            services.AddSingleton<IBlockIndex, PostgresBlockIndex>();
            services.AddSingleton<IIamCatalog, PostgresIamCatalog>();
            services.AddSingleton<IResourceSharing, PostgresResourceSharing>();
        }
        else
        {
            services.AddSingleton(_ => new SqliteDatabase(Path.Combine(context.DataDir, "catalog.db")));
            services.AddSingleton<IServerKeys>(_ => new DataFolderKeys(context.DataDir));
            services.AddSingleton<IImageCatalog, SqliteImageCatalog>();
            services.AddSingleton<ISnapshotCatalog, SqliteSnapshotCatalog>();
            services.AddSingleton<ITagCatalog, SqliteTagCatalog>();
            services.AddSingleton<IParameterCatalog, SqliteParameterCatalog>();
            services.AddSingleton<IAccountSettings, SqliteAccountSettings>();
            services.AddSingleton<ITaskCatalog, SqliteTaskCatalog>();
            services.AddSingleton<ITaskLeases, SqliteTaskLeases>();
            services.AddSingleton<ICatalogHealth, SqliteCatalogHealth>();
            services.AddSingleton<IBlockIndex, SqliteBlockIndex>();
            services.AddSingleton<IIamCatalog, SqliteIamCatalog>();
            services.AddSingleton<IResourceSharing, SqliteResourceSharing>();
        }

        // IAM: credentials and policies (secrets sealed with one of the server's keys, which is kept outside the
        // catalog's tables or sealed itself), the one authorization point.
        services.AddSingleton(sp => new SecretSealer(sp.GetRequiredService<IServerKeys>().GetOrCreate("iam-secrets")));
        services.AddSingleton<IamDirectory>();
        services.AddSingleton<ICredentialStore>(sp => sp.GetRequiredService<IamDirectory>());
        services.AddSingleton<Authorizer>();
        services.AddSingleton<BucketPolicyActions>();

        // Object store: the embedded one (buckets under the data folder) or an external S3, per Buckets:Backend.
        services.AddSingleton(sp => new EmbeddedStorage(context.DataDir, context.Region, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<EmbeddedObjectStoreProvider>();
        services.AddSingleton<IObjectStoreProvider>(sp => context.Options.Buckets.Backend switch
        {
            "embedded" => sp.GetRequiredService<EmbeddedObjectStoreProvider>(),
            "external" => new ExternalObjectStoreProvider(context.Options.Buckets, context.Region),
            var other => throw new InvalidOperationException($"Buckets:Backend '{other}' is neither 'embedded' nor 'external'."),
        });
        if (context.Options.Buckets.Backend == "embedded")
        {
            services.AddHostedService<LifecycleSweeper>();
        }

        // Blocks: snapshot block data addressed by SHA-256, in pack files under the data folder or pack objects in S3,
        // indexed in the catalog. Opening recovers from a crash and migrates an older release's block folder, before
        // the server listens.
        services.AddSingleton(sp => OpenBlockStoreAsync(context, sp).GetAwaiter().GetResult());
        services.AddSingleton<IBlockStore>(sp => sp.GetRequiredService<PackBlockStore>());
        services.AddSingleton<BlockKeys>();
        services.AddHostedService<PackCompactor>();

        // Protocols: EC2 first; S3 last, as the fallback for requests that are neither.
        services.AddSingleton<Ec2Endpoint>();
        services.AddSingleton<IProtocolEndpoint>(sp => sp.GetRequiredService<Ec2Endpoint>());
        services.AddSingleton<IProtocolEndpoint, EbsEndpoint>();
        services.AddSingleton<SsmEndpoint>();
        services.AddSingleton<IProtocolEndpoint>(sp => sp.GetRequiredService<SsmEndpoint>());
        services.AddSingleton<ParameterStore>();

        // EBS direct APIs: operations, tokens, the gate between block writes and completion, the timeout sweeper.
        services.AddSingleton<EbsTokens>();
        services.AddSingleton<SnapshotWriteGates>();
        services.AddSingleton<SnapshotTimeoutSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotTimeoutSweeper>());
        services.AddSingleton<IEbsOperation, StartSnapshot>();
        services.AddSingleton<IEbsOperation, PutSnapshotBlock>();
        services.AddSingleton<IEbsOperation, CompleteSnapshot>();
        services.AddSingleton<IEbsOperation, ListSnapshotBlocks>();
        services.AddSingleton<IEbsOperation, ListChangedBlocks>();
        services.AddSingleton<IEbsOperation, GetSnapshotBlock>();

        // IAM and STS (AWS Query), reached only by their SigV4 service names.
        services.AddSingleton<IQueryActionSet, UserActions>();
        services.AddSingleton<IQueryActionSet, AccessKeyActions>();
        services.AddSingleton<IQueryActionSet, InlinePolicyActions>();
        services.AddSingleton<IQueryActionSet, ManagedPolicyActions>();
        services.AddSingleton<IQueryActionSet, AttachmentActions>();
        services.AddSingleton<IQueryActionSet, RoleActions>();
        services.AddSingleton<IQueryActionSet, StsActions>();
        services.AddSingleton<IProtocolEndpoint>(sp => QueryEndpointFor(sp, "iam", IamRequests.Namespace, "2010-05-08"));
        services.AddSingleton<IProtocolEndpoint>(sp => QueryEndpointFor(sp, "sts", StsActions.Namespace, "2011-06-15"));

        // S3 REST API of the embedded store: keep LAST, it is the fallback protocol.
        services.AddSingleton<IProtocolEndpoint, S3Endpoint>();

        // EC2 actions.
        // Images, snapshots, tags, EBS encryption by default (branch ec2).
        services.AddSingleton(sp => new Ec2PageTokens(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IServerKeys>().GetOrCreate(Ec2PageTokens.KeyName)));
        services.AddSingleton<OwnedResources>();
        services.AddSingleton<SnapshotDeleter>();
        services.AddSingleton<BlockDeviceMappingReader>();
        services.AddSingleton<IEc2Action, RegisterImageAction>();
        services.AddSingleton<IEc2Action, DescribeImagesAction>();
        services.AddSingleton<IEc2Action, DescribeImageAttributeAction>();
        services.AddSingleton<IEc2Action, DeregisterImageAction>();
        services.AddSingleton<IEc2Action, DescribeSnapshotsAction>();
        services.AddSingleton<IEc2Action, DescribeSnapshotAttributeAction>();
        foreach (var permission in new[] { Ec2PermissionAttribute.LaunchPermission, Ec2PermissionAttribute.CreateVolumePermission })
        {
            services.AddSingleton<IEc2Action>(sp => new ModifyPermissionAttributeAction(permission, sp.GetRequiredService<OwnedResources>(), sp.GetRequiredService<IResourceSharing>()));
            services.AddSingleton<IEc2Action>(sp => new ResetPermissionAttributeAction(permission, sp.GetRequiredService<OwnedResources>(), sp.GetRequiredService<IResourceSharing>()));
        }
        services.AddSingleton<IEc2Action, DeleteSnapshotAction>();
        services.AddSingleton<IEc2Action, CreateTagsAction>();
        services.AddSingleton<IEc2Action, DeleteTagsAction>();
        services.AddSingleton<IEc2Action, DescribeTagsAction>();
        services.AddSingleton<IEc2Action, GetEbsEncryptionByDefaultAction>();
        services.AddSingleton<IEc2Action>(sp => new SetEbsEncryptionByDefaultAction(sp.GetRequiredService<IAccountSettings>(), enable: true));
        services.AddSingleton<IEc2Action>(sp => new SetEbsEncryptionByDefaultAction(sp.GetRequiredService<IAccountSettings>(), enable: false));

        // Store/restore engine: tasks queue behind a bounded pool of workers.
        services.AddSingleton<TaskPermissions>();
        services.AddSingleton<StoreTaskStarter>();
        services.AddSingleton<RestoreTaskStarter>();
        services.AddSingleton<ITaskJob, StoreImageJob>();
        services.AddSingleton<ITaskJob, RestoreImageJob>();
        services.AddSingleton<TaskQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskQueue>());
        services.AddSingleton<IEc2Action, CreateStoreImageTaskAction>();
        services.AddSingleton<IEc2Action, DescribeStoreImageTasksAction>();
        services.AddSingleton<IEc2Action, CreateRestoreImageTaskAction>();

        // Operations: /healthz, /readyz, /metrics, and the figures the metrics show.
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<OperationsEndpoint>();

        // The web console under /console/: its sessions, sign-in, and the in-process EC2 calls it makes.
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleSignIn>();
        services.AddSingleton<ConsoleEc2>();
        services.AddSingleton<ConsoleSsm>();
        services.AddSingleton<ConsoleApp>();
        return services;
    }

    private static QueryEndpoint QueryEndpointFor(IServiceProvider sp, string service, string ns, string version) => new(
        service, ns, version, sp.GetServices<IQueryActionSet>(), sp.GetRequiredService<Authorizer>(), sp.GetRequiredService<ServerContext>(),
        sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("AmiVault.Protocols." + service));

    private static async Task<PackBlockStore> OpenBlockStoreAsync(ServerContext context, IServiceProvider services)
    {
        var root = Path.Combine(context.DataDir, "blocks");
        var packs = await PackBackends.OpenAsync(context.Options.Blocks, root, context.Region, CancellationToken.None);
        return await PackBlockStore.OpenAsync(
            root,
            packs,
            services.GetRequiredService<IBlockIndex>(),
            PackStoreSettings.From(context.Options.Blocks),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<PackBlockStore>());
    }
}
