using AmiVault.Catalog;
using AmiVault.Catalog.Iam;

namespace AmiVault.Tests.Catalog;

/// <summary>
/// What every catalog backend promises, run against each (<see cref="SqliteCatalogContractTests"/>,
/// <see cref="PostgresCatalogContractTests"/>): a new backend passes these or it is not a catalog.
/// </summary>
public abstract class CatalogContractTests : IAsyncLifetime
{
    private const string Owner = "111111111111";

    internal abstract IImageCatalog Images { get; }

    internal abstract ISnapshotCatalog Snapshots { get; }

    internal abstract ITagCatalog Tags { get; }

    internal abstract IAccountSettings Settings { get; }

    internal abstract ITaskCatalog Tasks { get; }

    internal abstract IBlockIndex BlockIndex { get; }

    internal abstract IIamCatalog Iam { get; }
    internal abstract IParameterCatalog Parameters { get; }

    internal abstract IResourceSharing Sharing { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Opens the same catalog again (a restart, or another node) and answers its schema version and the latest one.</summary>
    protected abstract Task<(int Opened, int Latest)> ReopenAsync();

    [Fact]
    public async Task Image_names_are_unique_per_owner_but_not_across_owners()
    {
        await Images.InsertAsync(Image("ami-00000000000000001", "111111111111", "web"), []);
        await Images.InsertAsync(Image("ami-00000000000000002", "222222222222", "web"), []);
        await Assert.ThrowsAsync<CatalogConflictException>(() => Images.InsertAsync(Image("ami-00000000000000003", "111111111111", "web"), []));
        Assert.Null(await Images.GetAsync("ami-00000000000000003"));
        Assert.Equal("ami-00000000000000002", (await Images.FindByNameAsync("222222222222", "web"))!.ImageId);
        Assert.Equal(["ami-00000000000000001"], (await Images.ListAsync("111111111111")).Select(i => i.ImageId));
    }

    [Fact]
    public async Task An_image_keeps_every_attribute_and_its_state_changes()
    {
        var image = Image("ami-00000000000000001", Owner, "web") with { Description = "d", EnaSupport = true, BootMode = "uefi", State = "pending" };
        await Images.InsertAsync(image, [new("Name", "web")]);
        Assert.Equal(CatalogJson.Serialize(image with { CreationDate = default }), CatalogJson.Serialize((await Images.GetAsync(image.ImageId))! with { CreationDate = default }));
        await Images.UpdateStateAsync(image.ImageId, "failed", "Client.Error", "broken");
        var failed = (await Images.GetAsync(image.ImageId))!;
        Assert.Equal(("failed", "Client.Error", "broken"), (failed.State, failed.StateReasonCode, failed.StateReasonMessage));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Images.UpdateStateAsync("ami-0000000000000000f", "failed", null, null));
        Assert.True(await Images.DeleteAsync(image.ImageId));
        Assert.False(await Images.DeleteAsync(image.ImageId));
        Assert.Empty(await Tags.GetAsync(image.ImageId));
    }

    [Fact]
    public async Task Sharing_lists_accounts_per_resource_and_goes_with_the_resource()
    {
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001"), []);
        await Images.InsertAsync(Image("ami-00000000000000001", Owner, "web"), []);
        await Sharing.ModifyAsync("ami-00000000000000001", ["333333333333", "222222222222", "222222222222"], []);
        await Sharing.ModifyAsync("snap-00000000000000001", ["222222222222"], ["444444444444"]);
        Assert.Equal(["222222222222", "333333333333"], await Sharing.AccountsAsync("ami-00000000000000001"));
        Assert.Equal(["ami-00000000000000001"], await Sharing.SharedWithAsync("222222222222", "ami-"));
        Assert.Equal(["snap-00000000000000001"], await Sharing.SharedWithAsync("222222222222", "snap-"));
        Assert.True(await Sharing.IsUsableByAsync(Owner, "ami-00000000000000001", "333333333333"));
        Assert.True(await Sharing.IsUsableByAsync(Owner, "ami-00000000000000001", Owner));
        Assert.False(await Sharing.IsUsableByAsync(Owner, "ami-00000000000000001", "444444444444"));

        await Sharing.ModifyAsync("ami-00000000000000001", ["444444444444"], ["333333333333"]);
        Assert.Equal(["222222222222", "444444444444"], await Sharing.AccountsAsync("ami-00000000000000001"));
        await Sharing.ResetAsync("snap-00000000000000001");
        Assert.Empty(await Sharing.SharedWithAsync("222222222222", "snap-"));

        // Deregistering the image (or deleting the snapshot) takes its grants with it.
        await Sharing.ModifyAsync("snap-00000000000000001", ["222222222222"], []);
        Assert.True(await Images.DeleteAsync("ami-00000000000000001"));
        await Snapshots.DeleteAsync("snap-00000000000000001");
        Assert.Empty(await Sharing.SharedWithAsync("222222222222", ""));
        Assert.Empty(await Sharing.AccountsAsync("ami-00000000000000001"));
    }

    [Fact]
    public async Task Concurrent_block_writes_all_land()
    {
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001"), []);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => Snapshots.PutBlockAsync("snap-00000000000000001", i, BitConverter.GetBytes((long)i)))));
        Assert.Equal(200, await Snapshots.CountBlocksAsync("snap-00000000000000001"));
        var page = await Snapshots.ListBlocksAsync("snap-00000000000000001", 100, 10);
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (long)i), page.Select(b => b.BlockIndex));
    }

    [Fact]
    public async Task A_block_rewritten_answers_the_hash_it_replaced_and_inherited_blocks_are_not_written_ones()
    {
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001"), []);
        await Snapshots.PutBlocksAsync("snap-00000000000000001", [new SnapshotBlock(0, [1]), new SnapshotBlock(1, [2]), new SnapshotBlock(2, [3])]);
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000002"), [], copyBlocksFrom: "snap-00000000000000001");
        Assert.Null(await Snapshots.PutBlockAsync("snap-00000000000000002", 5, [9]));
        Assert.Equal([2], await Snapshots.PutBlockAsync("snap-00000000000000002", 1, [7]));
        Assert.Null(await Snapshots.PutBlockAsync("snap-00000000000000002", 1, [7]));

        Assert.Equal(4, await Snapshots.CountBlocksAsync("snap-00000000000000002"));
        Assert.Equal(2, await Snapshots.CountWrittenBlocksAsync("snap-00000000000000002"));
        Assert.Equal([1L, 5L], (await Snapshots.ListWrittenBlocksAsync("snap-00000000000000002", 0, 10)).Select(b => b.BlockIndex));
        Assert.Equal([7], (await Snapshots.GetBlockAsync("snap-00000000000000002", 1))!.Hash);
        Assert.Null(await Snapshots.GetBlockAsync("snap-00000000000000002", 3));
    }

    [Fact]
    public async Task Client_tokens_are_unique_per_owner_and_expired_pending_snapshots_are_found()
    {
        var now = DateTimeOffset.UtcNow;
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001") with { ClientToken = "t", Deadline = now.AddMinutes(-1) }, []);
        await Assert.ThrowsAsync<CatalogConflictException>(() => Snapshots.InsertAsync(Snapshot("snap-00000000000000002") with { ClientToken = "t" }, []));
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000003") with { OwnerId = "222222222222", ClientToken = "t", Deadline = now.AddMinutes(5) }, []);
        Assert.Equal("snap-00000000000000001", (await Snapshots.FindByClientTokenAsync(Owner, "t"))!.SnapshotId);
        Assert.Equal(["snap-00000000000000001"], (await Snapshots.ListExpiredPendingAsync(now)).Select(s => s.SnapshotId));

        var completed = (await Snapshots.GetAsync("snap-00000000000000001"))! with { Status = SnapshotStatus.Completed, Progress = 100, Deadline = null };
        await Snapshots.UpdateAsync(completed);
        Assert.Empty(await Snapshots.ListExpiredPendingAsync(now));
        Assert.Equal(CatalogJson.Serialize(completed with { StartTime = default }), CatalogJson.Serialize((await Snapshots.GetAsync("snap-00000000000000001"))! with { StartTime = default }));
    }

    [Fact]
    public async Task Deleting_a_snapshot_returns_its_hashes_and_leaves_shared_ones_referenced()
    {
        byte[] shared = [1], own = [2];
        foreach (var id in new[] { "snap-00000000000000001", "snap-00000000000000002" })
        {
            await Snapshots.InsertAsync(Snapshot(id), [new("k", "v")]);
            await Snapshots.PutBlockAsync(id, 0, shared);
        }

        await Snapshots.PutBlockAsync("snap-00000000000000001", 1, own);
        var released = await Snapshots.DeleteAsync("snap-00000000000000001");
        Assert.Equal(2, released.Count);
        Assert.True(await Snapshots.IsBlockReferencedAsync(shared));
        Assert.False(await Snapshots.IsBlockReferencedAsync(own));
        Assert.Empty(await Tags.GetAsync("snap-00000000000000001"));
    }

    [Fact]
    public async Task An_image_cannot_map_a_snapshot_that_is_missing_or_another_owners()
    {
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000002") with { OwnerId = "222222222222" }, []);
        await Assert.ThrowsAsync<CatalogConflictException>(() => Images.InsertAsync(Image("ami-00000000000000001", Owner, "a", "snap-00000000000000001"), []));
        await Assert.ThrowsAsync<CatalogConflictException>(() => Images.InsertAsync(Image("ami-00000000000000001", Owner, "a", "snap-00000000000000002"), []));
        Assert.Null(await Images.GetAsync("ami-00000000000000001"));
    }

    [Fact]
    public async Task A_snapshot_an_image_maps_cannot_be_deleted_until_the_image_is()
    {
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001"), []);
        await Images.InsertAsync(Image("ami-00000000000000001", Owner, "a", "snap-00000000000000001"), []);

        Assert.Equal("ami-00000000000000001", await Images.FindImageUsingSnapshotAsync("snap-00000000000000001"));
        await Assert.ThrowsAsync<CatalogConflictException>(() => Snapshots.DeleteAsync("snap-00000000000000001"));
        Assert.NotNull(await Snapshots.GetAsync("snap-00000000000000001"));
        Assert.True(await Images.DeleteAsync("ami-00000000000000001"));
        await Snapshots.DeleteAsync("snap-00000000000000001");
        Assert.Null(await Snapshots.GetAsync("snap-00000000000000001"));
    }

    [Fact]
    public async Task Tags_are_set_overwritten_deleted_and_listed_per_owner()
    {
        await Tags.SetAsync(Owner, "ami-00000000000000001", [new("b", "1"), new("a", "2")]);
        await Tags.SetAsync(Owner, "ami-00000000000000001", [new("b", "3")]);
        await Tags.SetAsync(Owner, "snap-00000000000000001", [new("k", "v"), new("x", "y")]);
        await Tags.SetAsync("222222222222", "ami-00000000000000002", [new("k", "v")]);
        Assert.Equal([new("a", "2"), new("b", "3")], await Tags.GetAsync("ami-00000000000000001"));

        await Tags.DeleteAsync("snap-00000000000000001", [new("k", "other"), new("x", null)]);
        var many = await Tags.GetManyAsync(["ami-00000000000000001", "snap-00000000000000001", "ami-0000000000000000f"]);
        Assert.Equal(2, many.Count);
        Assert.Equal([new("k", "v")], many["snap-00000000000000001"]);
        Assert.Equal(
            [("ami-00000000000000001", "image", "a"), ("ami-00000000000000001", "image", "b"), ("snap-00000000000000001", "snapshot", "k")],
            (await Tags.ListAsync(Owner)).Select(t => (t.ResourceId, t.ResourceType, t.Key)));
        await Tags.DeleteAsync("ami-00000000000000001", []);
        Assert.Empty(await Tags.GetAsync("ami-00000000000000001"));
    }

    [Fact]
    public async Task Encryption_by_default_is_per_account_and_off_until_set()
    {
        Assert.False(await Settings.GetEncryptionByDefaultAsync(Owner));
        await Settings.SetEncryptionByDefaultAsync(Owner, true);
        Assert.True(await Settings.GetEncryptionByDefaultAsync(Owner));
        Assert.False(await Settings.GetEncryptionByDefaultAsync("222222222222"));
        await Settings.SetEncryptionByDefaultAsync(Owner, false);
        Assert.False(await Settings.GetEncryptionByDefaultAsync(Owner));
    }

    [Fact]
    public async Task A_second_store_of_an_image_into_the_same_bucket_is_refused_while_the_first_runs()
    {
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t1", "ami-00000000000000001", "b", 10), 100));
        Assert.Equal(TaskAdmission.AlreadyInProgress, await Tasks.TryAddStoreAsync(Store("t2", "ami-00000000000000001", "b", 10), 100));
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t3", "ami-00000000000000001", "other", 10), 100));

        var first = (await Tasks.GetStoreAsync("t1"))!;
        await Tasks.UpdateStoreAsync(first with { State = TaskStates.Completed, Progress = 100 });
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t4", "ami-00000000000000001", "b", 10), 100));
        Assert.Equal(["t3", "t4"], (await Tasks.ListUnfinishedStoresAsync()).Select(t => t.TaskId).Order());
    }

    [Fact]
    public async Task The_store_quota_admits_while_the_tasks_in_progress_are_under_it()
    {
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t1", "ami-00000000000000001", "b", 60), 100));
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t2", "ami-00000000000000002", "b", 41), 100));
        Assert.Equal(TaskAdmission.QuotaExceeded, await Tasks.TryAddStoreAsync(Store("t3", "ami-00000000000000003", "b", 1), 100));
        await Tasks.UpdateStoreAsync((await Tasks.GetStoreAsync("t1"))! with { State = TaskStates.Failed });
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddStoreAsync(Store("t4", "ami-00000000000000003", "b", 500), 100));
        Assert.Equal(["t4", "t2", "t1"], (await Tasks.ListStoresAsync(Owner, DateTimeOffset.MinValue)).Select(t => t.TaskId));
    }

    [Fact]
    public async Task Concurrent_admissions_against_a_quota_admit_exactly_what_fits()
    {
        // 20 stores of 10 bytes each racing for a quota of 50: admitted while under it, so exactly 5.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Tasks.TryAddStoreAsync(Store($"t{i}", $"ami-{i:x17}", "b", 10), 50))));
        Assert.Equal(5, results.Count(r => r == TaskAdmission.Admitted));
        Assert.Equal(15, results.Count(r => r == TaskAdmission.QuotaExceeded));
    }

    [Fact]
    public async Task Concurrent_stores_of_one_image_into_one_bucket_admit_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => Tasks.TryAddStoreAsync(Store($"t{i}", "ami-00000000000000001", "b", 1), 1000))));
        Assert.Equal(1, results.Count(r => r == TaskAdmission.Admitted));
    }

    [Fact]
    public async Task A_restore_adds_its_image_and_snapshots_atomically_and_respects_names()
    {
        var now = DateTimeOffset.UtcNow;
        var snapshot = new SnapshotRecord { SnapshotId = "snap-00000000000000001", OwnerId = Owner, VolumeSizeGib = 1, StartTime = now };
        var image = new ImageRecord
        {
            ImageId = "ami-00000000000000009", OwnerId = Owner, Name = "restored", CreationDate = now, State = "pending",
            BlockDeviceMappings = [new BlockDeviceMapping("/dev/xvda", new EbsMapping(SnapshotId: snapshot.SnapshotId))],
        };
        var task = new RestoreTaskRecord { TaskId = "r1", OwnerId = Owner, ImageId = image.ImageId, Bucket = "b", ObjectKey = "k", StartTime = now, SizeBytes = 1 << 30 };
        Assert.Equal(TaskAdmission.Admitted, await Tasks.TryAddRestoreAsync(task, image, [new("a", "b")], [(snapshot, [])], 10L << 30));
        Assert.Equal("pending", (await Images.GetAsync(image.ImageId))!.State);
        Assert.NotNull(await Snapshots.GetAsync(snapshot.SnapshotId));
        Assert.Equal([new("a", "b")], await Tags.GetAsync(image.ImageId));

        var again = task with { TaskId = "r2", ImageId = "ami-0000000000000000a" };
        Assert.Equal(TaskAdmission.NameInUse, await Tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, BlockDeviceMappings = [] }, [], [], 10L << 30));
        Assert.Equal(TaskAdmission.QuotaExceeded,
            await Tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, Name = "other", BlockDeviceMappings = [] }, [], [], 1L << 30));
        Assert.Single(await Tasks.ListUnfinishedRestoresAsync());
        Assert.Equal(TaskAdmission.Admitted,
            await Tasks.TryAddRestoreAsync(again, image with { ImageId = again.ImageId, Name = "other", BlockDeviceMappings = [] }, [], [], (1L << 30) + 1));
        await Tasks.UpdateRestoreAsync((await Tasks.GetRestoreAsync("r1"))! with { State = TaskStates.Completed });
        Assert.Equal(["r2"], (await Tasks.ListUnfinishedRestoresAsync()).Select(t => t.TaskId));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Tasks.UpdateRestoreAsync(task with { TaskId = "missing" }));
    }

    [Fact]
    public async Task The_block_index_places_moves_and_reclaims_blocks_and_counts_pack_usage()
    {
        byte[] kept = [1], dropped = [2], orphan = [3];
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000001"), []);
        await Snapshots.PutBlocksAsync("snap-00000000000000001", [new SnapshotBlock(0, kept), new SnapshotBlock(1, dropped)]);
        await BlockIndex.CommitAsync([
            new BlockPlacement(kept, new BlockLocation(1, 0, 100)),
            new BlockPlacement(dropped, new BlockLocation(1, 100, 50)),
            new BlockPlacement(orphan, new BlockLocation(2, 0, 10)),
            new BlockPlacement(kept, new BlockLocation(2, 10, 100)),
        ]);
        Assert.Equal(new BlockLocation(1, 0, 100), await BlockIndex.FindAsync(kept));
        Assert.Equal([new PackUsage(1, 150, 2), new PackUsage(2, 10, 1)], await BlockIndex.ListPacksAsync());

        // Compaction moves 'kept' to pack 3; a move from where it no longer is changes nothing.
        await BlockIndex.CommitAsync([
            new BlockPlacement(kept, new BlockLocation(3, 0, 100), MovedFrom: new BlockLocation(1, 0, 100)),
            new BlockPlacement(dropped, new BlockLocation(3, 100, 50), MovedFrom: new BlockLocation(9, 0, 50)),
        ]);
        Assert.Equal(new BlockLocation(3, 0, 100), await BlockIndex.FindAsync(kept));
        Assert.Equal(100, await BlockIndex.PackEndAsync(3));
        Assert.Equal([((byte)2, new BlockLocation(1, 100, 50))], (await BlockIndex.ListInPackAsync(1, 0, 10)).Select(p => (p.Hash[0], p.Location)));

        Assert.Equal(0, await BlockIndex.RemoveUnreferencedAsync([dropped]));
        await Snapshots.DeleteAsync("snap-00000000000000001");
        await Snapshots.InsertAsync(Snapshot("snap-00000000000000002"), []);
        await Snapshots.PutBlockAsync("snap-00000000000000002", 0, kept);
        Assert.Equal(1, await BlockIndex.RemoveUnreferencedAsync([dropped, kept]));
        Assert.Null(await BlockIndex.FindAsync(dropped));
        Assert.Equal(1, await BlockIndex.SweepUnreferencedAsync());
        Assert.Equal(1, await BlockIndex.CountAsync());
        Assert.Equal([new PackUsage(1, 0, 0), new PackUsage(2, 0, 0), new PackUsage(3, 100, 1)], await BlockIndex.ListPacksAsync());
        Assert.True(await BlockIndex.RemovePackAsync(1));
        Assert.False(await BlockIndex.RemovePackAsync(3));
        Assert.True(await BlockIndex.RemovePackAsync(42));
    }

    [Fact]
    public async Task Iam_names_are_unique_case_insensitively_per_account_and_kept_as_written()
    {
        var now = DateTimeOffset.UtcNow;
        await Iam.CreateUserAsync(new IamUserRecord(Owner, "CiBot", "AIDA00000000000000001", now));
        await Iam.CreateUserAsync(new IamUserRecord("222222222222", "cibot", "AIDA00000000000000002", now));
        var taken = await Assert.ThrowsAsync<IamConflictException>(() => Iam.CreateUserAsync(new IamUserRecord(Owner, "CIBOT", "AIDA00000000000000003", now)));
        Assert.Equal(IamConflict.EntityAlreadyExists, taken.Conflict);
        await Iam.CreateRoleAsync(new IamRoleRecord(Owner, "Restorer", "AROA00000000000000001", "{}", 3600, "d", now));
        Assert.Equal(IamConflict.EntityAlreadyExists, (await Assert.ThrowsAsync<IamConflictException>(() =>
            Iam.CreateRoleAsync(new IamRoleRecord(Owner, "restorer", "AROA00000000000000002", "{}", 3600, "", now)))).Conflict);

        var contents = Iam.Load();
        Assert.Equal([(Owner, "CiBot"), ("222222222222", "cibot")], contents.Users.Select(u => (u.AccountId, u.UserName)).OrderBy(u => u.UserName, StringComparer.Ordinal));
        var role = Assert.Single(contents.Roles);
        Assert.Equal(("Restorer", 3600, "d"), (role.RoleName, role.MaxSessionDuration, role.Description));
        Assert.Equal(now.ToUnixTimeSeconds(), role.CreateDate.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_user_holds_at_most_the_key_limit_even_under_concurrent_creates_and_is_deleted_only_when_bare()
    {
        var now = DateTimeOffset.UtcNow;
        await Iam.CreateUserAsync(new IamUserRecord(Owner, "ci", "AIDA00000000000000001", now));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await Iam.CreateAccessKeyAsync(new IamAccessKeyRecord($"AKIA{i:D16}", Owner, "CI", [1, 2, (byte)i], true, now), maxKeys: 2);
                return true;
            }
            catch (IamConflictException e) when (e.Conflict == IamConflict.LimitExceeded)
            {
                return false;
            }
        })));
        Assert.Equal(2, attempts.Count(created => created));
        var keys = Iam.Load().AccessKeys;
        Assert.Equal(2, keys.Count);

        var key = keys[0];
        await Iam.SetAccessKeyActiveAsync(Owner, "ci", key.AccessKeyId, active: false);
        Assert.False(Iam.Load().AccessKeys.Single(k => k.AccessKeyId == key.AccessKeyId).Active);
        Assert.Equal(key.SealedSecret, Iam.Load().AccessKeys.Single(k => k.AccessKeyId == key.AccessKeyId).SealedSecret);
        Assert.Equal(IamConflict.NoSuchEntity, (await Assert.ThrowsAsync<IamConflictException>(() =>
            Iam.SetAccessKeyActiveAsync(Owner, "someone-else", key.AccessKeyId, active: true))).Conflict);

        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeleteUserAsync(Owner, "ci"))).Conflict);
        foreach (var k in keys)
        {
            await Iam.DeleteAccessKeyAsync(Owner, "ci", k.AccessKeyId);
        }

        await Iam.PutInlinePolicyAsync(new IamInlinePolicyRecord(Owner, IamPrincipalKind.User, "ci", "p", "{\"v\":1}"));
        await Iam.PutInlinePolicyAsync(new IamInlinePolicyRecord(Owner, IamPrincipalKind.User, "CI", "P", "{\"v\":2}"));
        Assert.Equal("{\"v\":2}", Assert.Single(Iam.Load().InlinePolicies).Document);
        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeleteUserAsync(Owner, "ci"))).Conflict);
        await Iam.DeleteInlinePolicyAsync(Owner, IamPrincipalKind.User, "ci", "p");
        await Iam.DeleteUserAsync(Owner, "Ci");
        Assert.Empty(Iam.Load().Users);
        Assert.Equal(IamConflict.NoSuchEntity, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeleteUserAsync(Owner, "ci"))).Conflict);
    }

    [Fact]
    public async Task Managed_policies_keep_versions_within_the_limit_and_are_deleted_only_when_detached()
    {
        var now = DateTimeOffset.UtcNow;
        await Iam.CreateRoleAsync(new IamRoleRecord(Owner, "r", "AROA00000000000000001", "{}", 3600, "", now));
        await Iam.CreatePolicyAsync(new IamManagedPolicyRecord(Owner, "Store", "ANPA00000000000000001", 1, "", now, [new IamPolicyVersionRecord(1, "v1", now)]));
        Assert.Equal(2, await Iam.CreatePolicyVersionAsync(Owner, "store", "v2", setAsDefault: true, maxVersions: 3, now));
        Assert.Equal(3, await Iam.CreatePolicyVersionAsync(Owner, "store", "v3", setAsDefault: false, maxVersions: 3, now));
        Assert.Equal(IamConflict.LimitExceeded, (await Assert.ThrowsAsync<IamConflictException>(() =>
            Iam.CreatePolicyVersionAsync(Owner, "store", "v4", setAsDefault: false, maxVersions: 3, now))).Conflict);
        var policy = Assert.Single(Iam.Load().Policies);
        Assert.Equal(2, policy.DefaultVersion);
        Assert.Equal(["v1", "v2", "v3"], policy.Versions.Select(v => v.Document));
        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeletePolicyVersionAsync(Owner, "Store", 2))).Conflict);
        await Iam.SetDefaultPolicyVersionAsync(Owner, "Store", 3);
        await Iam.DeletePolicyVersionAsync(Owner, "Store", 1);

        await Iam.AttachAsync(new IamAttachmentRecord(Owner, IamPrincipalKind.Role, "R", "store"));
        await Iam.AttachAsync(new IamAttachmentRecord(Owner, IamPrincipalKind.Role, "r", "Store"));
        Assert.Single(Iam.Load().Attachments);
        Assert.Equal(IamConflict.NoSuchEntity, (await Assert.ThrowsAsync<IamConflictException>(() =>
            Iam.AttachAsync(new IamAttachmentRecord(Owner, IamPrincipalKind.Role, "r", "missing")))).Conflict);
        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeletePolicyAsync(Owner, "Store"))).Conflict);
        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeleteRoleAsync(Owner, "r"))).Conflict);
        await Iam.DetachAsync(new IamAttachmentRecord(Owner, IamPrincipalKind.Role, "r", "store"));
        Assert.Equal(IamConflict.DeleteConflict, (await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeletePolicyAsync(Owner, "Store"))).Conflict);
        await Iam.DeletePolicyVersionAsync(Owner, "Store", 2);
        await Iam.DeletePolicyAsync(Owner, "Store");
        await Iam.DeleteRoleAsync(Owner, "r");
        var left = Iam.Load();
        Assert.Empty(left.Policies);
        Assert.Empty(left.Roles);
    }

    [Fact]
    public async Task A_bucket_policy_is_put_replaced_and_deleted()
    {
        await Iam.PutBucketPolicyAsync(new BucketPolicyRecord("shared", Owner, "v1"));
        await Iam.PutBucketPolicyAsync(new BucketPolicyRecord("other", "222222222222", "x"));
        await Iam.PutBucketPolicyAsync(new BucketPolicyRecord("shared", Owner, "v2"));
        Assert.Equal([("other", "222222222222", "x"), ("shared", Owner, "v2")],
            Iam.Load().BucketPolicies.Select(p => (p.Bucket, p.OwnerId, p.Document)).OrderBy(p => p.Bucket, StringComparer.Ordinal));
        await Iam.DeleteBucketPolicyAsync("shared");
        await Iam.DeleteBucketPolicyAsync("shared");
        Assert.Equal(["other"], Iam.Load().BucketPolicies.Select(p => p.Bucket));
    }

    [Fact]
    public async Task Every_iam_change_moves_the_generation_and_sessions_expire_out()
    {
        var now = DateTimeOffset.UtcNow;
        var before = Iam.Generation();
        Assert.Equal(before, Iam.Load().Generation);
        await Iam.CreateSessionAsync(new StsSessionRecord("ASIA00000000000000001", Owner, "r", "AROA00000000000000001", "s", [1], [2], now.AddMinutes(-1)));
        await Iam.CreateSessionAsync(new StsSessionRecord("ASIA00000000000000002", Owner, "r", "AROA00000000000000001", "s", [1], [3], now.AddHours(1)));
        var afterSessions = Iam.Generation();
        Assert.True(afterSessions > before);
        await Iam.PurgeSessionsAsync(now);
        var left = Iam.Load();
        Assert.True(left.Generation > afterSessions);
        var session = Assert.Single(left.Sessions);
        Assert.Equal("ASIA00000000000000002", session.AccessKeyId);
        Assert.Equal([3], session.TokenHash);

        // A refused change commits nothing, the generation included.
        var beforeRefusal = Iam.Generation();
        await Assert.ThrowsAsync<IamConflictException>(() => Iam.DeleteUserAsync(Owner, "nobody"));
        Assert.Equal(beforeRefusal, Iam.Generation());
    }

    [Fact]
    public async Task Parameter_versions_are_numbered_labelled_listed_and_deleted_per_owner()
    {
        await Parameters.PutAsync(Parameter("/golden/web", "ami-00000000000000001"), overwrite: false, [new("team", "web")]);
        await Assert.ThrowsAsync<CatalogConflictException>(() => Parameters.PutAsync(Parameter("/golden/web", "ami-00000000000000002"), overwrite: false, []));
        Assert.Equal(2, (await Parameters.PutAsync(Parameter("/golden/web", "ami-00000000000000002"), overwrite: true, [new("ignored", "x")])).Version);
        await Parameters.PutAsync(Parameter("/golden/db", "ami-00000000000000003"), overwrite: false, []);
        await Parameters.PutAsync(Parameter("/goldenrod", "x"), overwrite: false, []);
        await Parameters.PutAsync(Parameter("/golden/web", "theirs") with { OwnerId = "222222222222" }, overwrite: false, []);

        Assert.Equal([("/golden/web", 1L, "ami-00000000000000001"), ("/golden/web", 2L, "ami-00000000000000002")],
            (await Parameters.HistoryAsync(Owner, "/golden/web")).Select(v => (v.Name, v.Version, v.Value)));
        Assert.Equal([new("team", "web")], await Parameters.TagsAsync(Owner, "/golden/web"));

        // The latest version of each, by name, paged with 'after'.
        Assert.Equal([("/golden/db", 1L), ("/golden/web", 2L)], (await Parameters.ListLatestAsync(Owner, "/golden/", null, 10)).Select(v => (v.Name, v.Version)));
        Assert.Equal(["/golden/web"], (await Parameters.ListLatestAsync(Owner, "/golden/", "/golden/db", 10)).Select(v => v.Name));
        Assert.Equal(["/golden/db"], (await Parameters.ListLatestAsync(Owner, "/golden", null, 1)).Select(v => v.Name));
        Assert.Equal(["theirs"], (await Parameters.ListLatestAsync("222222222222", "", null, 10)).Select(v => v.Value));

        // A label is on one version at a time; a version carries at most maxLabels.
        Assert.Equal(1, await Parameters.LabelAsync(Owner, "/golden/web", 1, ["prod"], 10));
        Assert.Equal(2, await Parameters.LabelAsync(Owner, "/golden/web", null, ["prod", "new"], 10));
        Assert.Equal(["", "prod,new"], (await Parameters.HistoryAsync(Owner, "/golden/web")).Select(v => string.Join(',', v.Labels)));
        Assert.Null(await Parameters.LabelAsync(Owner, "/golden/web", 9, ["x"], 10));
        Assert.Null(await Parameters.LabelAsync(Owner, "/missing", null, ["x"], 10));
        await Assert.ThrowsAsync<CatalogConflictException>(() => Parameters.LabelAsync(Owner, "/golden/web", 2, ["a", "b"], 3));

        Assert.True(await Parameters.DeleteAsync(Owner, "/golden/web"));
        Assert.False(await Parameters.DeleteAsync(Owner, "/golden/web"));
        Assert.Empty(await Parameters.HistoryAsync(Owner, "/golden/web"));
        Assert.Empty(await Parameters.TagsAsync(Owner, "/golden/web"));
        Assert.Single(await Parameters.HistoryAsync("222222222222", "/golden/web"));
    }

    [Fact]
    public async Task Concurrent_overwrites_of_a_parameter_each_get_their_own_version_and_the_oldest_beyond_the_limit_go()
    {
        await Parameters.PutAsync(Parameter("/p", "0"), overwrite: false, []);
        var versions = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            Task.Run(() => Parameters.PutAsync(Parameter("/p", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), overwrite: true, []))));
        Assert.Equal(Enumerable.Range(2, 20).Select(i => (long)i), versions.Select(v => v.Version).Order());

        for (var i = 22; i <= IParameterCatalog.MaxVersions + 5; i++)
        {
            await Parameters.PutAsync(Parameter("/p", "v"), overwrite: true, []);
        }

        var history = await Parameters.HistoryAsync(Owner, "/p");
        Assert.Equal(IParameterCatalog.MaxVersions, history.Count);
        Assert.Equal(6, history[0].Version);
        Assert.Equal(IParameterCatalog.MaxVersions + 5, history[^1].Version);
    }

    [Fact]
    public async Task Reopening_a_catalog_keeps_its_schema_version()
    {
        var (opened, latest) = await ReopenAsync();
        Assert.Equal(latest, opened);
    }

    private static ParameterVersion Parameter(string name, string value) => new()
    {
        OwnerId = Owner, Name = name, Type = "String", Value = value, DataType = "text", Tier = "Standard",
        LastModified = DateTimeOffset.UtcNow, ModifiedBy = $"arn:aws:iam::{Owner}:root",
    };

    private static SnapshotRecord Snapshot(string id) => new() { SnapshotId = id, OwnerId = Owner, VolumeSizeGib = 1, StartTime = DateTimeOffset.UtcNow };

    private static ImageRecord Image(string id, string owner, string name, string? rootSnapshotId = null) => new()
    {
        ImageId = id,
        OwnerId = owner,
        Name = name,
        CreationDate = DateTimeOffset.UtcNow,
        BlockDeviceMappings = rootSnapshotId is null ? [] : [new BlockDeviceMapping("/dev/xvda", new EbsMapping(rootSnapshotId))],
    };

    private protected static StoreTaskRecord Store(string id, string image, string bucket, long size) => new()
    {
        TaskId = id, OwnerId = Owner, ImageId = image, Bucket = bucket, ObjectKey = image + ".bin",
        StartTime = DateTimeOffset.UtcNow, SizeBytes = size,
    };
}
