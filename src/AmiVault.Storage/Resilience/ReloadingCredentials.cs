using Amazon.Runtime;

namespace AmiVault.Resilience;

/// <summary>
/// Credentials read from the AWS shared files (a profile's keys, or a role, SSO session or process it names) that
/// follow the files: when one of them changes (keys rotated during a long import or copy) the next request is signed
/// with what they say now, instead of keys frozen when the command started. The SDK asks for credentials before
/// signing each request, and so does our EBS client.
/// </summary>
internal sealed class ReloadingCredentials : AWSCredentials
{
    private readonly string[] _files;
    private readonly Func<AWSCredentials> _load;
    private readonly Lock _lock = new();
    private (DateTime Written, long Length)[] _stamp;
    private AWSCredentials _current;

    /// <param name="files">The files the credentials come from (credentials and config file).</param>
    /// <param name="load">Reads them; throws when the profile is gone or has no credentials.</param>
    public ReloadingCredentials(IEnumerable<string> files, Func<AWSCredentials> load)
    {
        _files = [.. files];
        _load = load;
        _stamp = Stamp();
        _current = load();
    }

    public override ImmutableCredentials GetCredentials() => Current().GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Current().GetCredentialsAsync();

    /// <summary>
    /// Reads the files again now (and makes temporary credentials fetch anew); true when the keys differ from those
    /// used until now, which is when a refused request is worth repeating.
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var before = await Current().GetCredentialsAsync();
        AWSCredentials next;
        lock (_lock)
        {
            _stamp = Stamp();
            _current = _load();
            next = _current;
        }

        return await RefreshAsync(next, before, cancellationToken);
    }

    /// <summary>
    /// The way to refresh <paramref name="credentials"/> after they were refused, for a <see cref="RetryPolicy"/>;
    /// null for credentials that cannot change (keys given as such).
    /// </summary>
    public static Func<CancellationToken, Task<bool>>? RefreshOf(AWSCredentials? credentials) => credentials switch
    {
        ReloadingCredentials reloading => reloading.RefreshAsync,
        RefreshingAWSCredentials refreshing => async token => await RefreshAsync(refreshing, await refreshing.GetCredentialsAsync(), token),
        _ => null,
    };

    private static async Task<bool> RefreshAsync(AWSCredentials credentials, ImmutableCredentials before, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (credentials is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
        }

        var after = await credentials.GetCredentialsAsync();
        return after.AccessKey != before.AccessKey || after.SecretKey != before.SecretKey || after.Token != before.Token;
    }

    private AWSCredentials Current()
    {
        lock (_lock)
        {
            var stamp = Stamp();
            if (!stamp.SequenceEqual(_stamp))
            {
                // A file half-written by `aws configure` may not parse yet: keep the keys we have until it does.
                try
                {
                    _current = _load();
                    _stamp = stamp;
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or AmazonClientException)
                {
                }
            }

            return _current;
        }
    }

    private (DateTime Written, long Length)[] Stamp() =>
        [.. _files.Select(f => new FileInfo(f)).Select(f => f.Exists ? (f.LastWriteTimeUtc, f.Length) : (DateTime.MinValue, -1L))];
}
