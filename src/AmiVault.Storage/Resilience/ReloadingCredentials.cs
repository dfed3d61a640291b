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
    private DateTimeOffset _changedAt = DateTimeOffset.MinValue;

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
    /// Reads the files again now (and makes temporary credentials fetch anew); true when the keys changed after
    /// <paramref name="since"/> (the refused request was signed with older ones), which is when it is worth repeating.
    /// </summary>
    public async Task<bool> RefreshAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        AWSCredentials before, next;
        lock (_lock)
        {
            before = _current;
            _stamp = Stamp();
            _current = next = _load();
        }

        if (await RefreshAsync(next, await before.GetCredentialsAsync(), cancellationToken))
        {
            lock (_lock)
            {
                _changedAt = DateTimeOffset.UtcNow;
            }
        }

        lock (_lock)
        {
            return _changedAt >= since;
        }
    }

    /// <summary>
    /// The way to refresh <paramref name="credentials"/> after a request signed with them at or after the time given
    /// was refused, for a <see cref="ResiliencePolicy"/>; null for credentials that cannot change (keys given as such).
    /// </summary>
    public static Func<DateTimeOffset, CancellationToken, Task<bool>>? RefreshOf(AWSCredentials? credentials) => credentials switch
    {
        ReloadingCredentials reloading => reloading.RefreshAsync,
        RefreshingAWSCredentials refreshing => async (_, token) => await RefreshAsync(refreshing, await refreshing.GetCredentialsAsync(), token),
        _ => null,
    };

    /// <summary>Makes temporary credentials fetch anew; true when the keys differ from <paramref name="before"/>.</summary>
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
                    _changedAt = DateTimeOffset.UtcNow;
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or AmazonClientException)
                {
                    // The next request looks again.
                }
            }

            return _current;
        }
    }

    private (DateTime Written, long Length)[] Stamp() =>
        [.. _files.Select(f => new FileInfo(f)).Select(f => f.Exists ? (f.LastWriteTimeUtc, f.Length) : (DateTime.MinValue, -1L))];
}
