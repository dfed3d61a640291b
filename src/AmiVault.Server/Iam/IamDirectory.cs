using System.Collections.Concurrent;
using AmiVault.Accounts;
using AmiVault.Auth;
using AmiVault.Catalog.Iam;
using AmiVault.Configuration;
using AmiVault.Iam.Policies;

namespace AmiVault.Iam;

/// <summary>
/// The credentials and policies requests are checked against: the configured accounts' root keys, then IAM users'
/// keys and STS sessions from the catalog, held in an <see cref="IamSnapshot"/> that every IAM change replaces
/// (reloaded whole from the catalog after the change commits, so memory never runs ahead of what is durable).
/// Another node sharing the catalog changes IAM without telling this one: at most once a second, a request starts a
/// background look at the catalog's IAM generation, and a newer one reloads (so a key deleted or a policy removed
/// on one node stops working on the others within about a second).
/// </summary>
internal sealed class IamDirectory : ICredentialStore
{
    private readonly AccountDirectory _accounts;
    private readonly IIamCatalog _catalog;
    private readonly SecretSealer _sealer;
    private readonly string _partition;
    private readonly Dictionary<string, Credential> _roots;
    private readonly ConcurrentDictionary<string, PolicyDocument> _parsed = new(StringComparer.Ordinal);
    private static readonly TimeSpan GenerationCheckInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _reload = new();
    private readonly TimeProvider _time;
    private volatile IamSnapshot _current;
    private long _lastCheck;
    private int _checking;

    public IamDirectory(AccountDirectory accounts, IIamCatalog catalog, SecretSealer sealer, ServerContext server, TimeProvider time)
    {
        _time = time;
        _lastCheck = time.GetTimestamp();
        _accounts = accounts;
        _catalog = catalog;
        _sealer = sealer;
        _partition = server.Partition;
        _roots = accounts.All.ToDictionary(a => a.AccessKeyId, a => new Credential(a, IamPrincipal.Root(server.Partition, a.Id), a.SecretAccessKey), StringComparer.Ordinal);
        _current = Build();
    }

    public IamSnapshot Current
    {
        get
        {
            NoticeOtherNodes();
            return _current;
        }
    }

    public SecretSealer Sealer => _sealer;

    public AccountDirectory Accounts => _accounts;

    public Credential? Find(string accessKeyId) => _roots.GetValueOrDefault(accessKeyId) ?? Current.Credential(accessKeyId);

    /// <summary>Runs a change against the catalog, then publishes the state it left.</summary>
    public async Task<T> ChangeAsync<T>(Func<IIamCatalog, Task<T>> change)
    {
        try
        {
            return await change(_catalog);
        }
        finally
        {
            Reload();
        }
    }

    public Task ChangeAsync(Func<IIamCatalog, Task> change) => ChangeAsync(async c =>
    {
        await change(c);
        return true;
    });

    private void NoticeOtherNodes()
    {
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastCheck)) < GenerationCheckInterval || Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        Interlocked.Exchange(ref _lastCheck, _time.GetTimestamp());
        _ = Task.Run(() =>
        {
            try
            {
                if (_catalog.Generation() != _current.Contents.Generation)
                {
                    Reload();
                }
            }
            catch (Exception)
            {
                // The catalog is unreachable for a moment: keep serving what is known, and look again next second.
            }
            finally
            {
                Volatile.Write(ref _checking, 0);
            }
        });
    }

    private void Reload()
    {
        // Read and publish under one lock: a reload that starts later reads a later catalog, so the last published
        // snapshot is never older than the last committed change.
        lock (_reload)
        {
            _current = Build();
        }
    }

    private IamSnapshot Build()
    {
        // Parsed documents are kept across snapshots by text; drop them when they pile up (after many edits).
        if (_parsed.Count > 10_000)
        {
            _parsed.Clear();
        }

        return new IamSnapshot(_catalog.Load(), _accounts, _sealer, _partition, _parsed);
    }
}
