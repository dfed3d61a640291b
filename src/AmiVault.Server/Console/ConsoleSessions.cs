using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiVault.Auth;

namespace AmiVault.Console;

/// <summary>
/// The console's sessions, in memory: a session id is 256 random bits, looked up on every request. A session ends
/// at sign-out, after <see cref="IdleTimeout"/> without a request, or <see cref="MaxAge"/> after sign-in. Nothing
/// is written to disk, so a restart signs everyone out (and a stolen data folder holds no live session).
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(12);

    /// <summary>Sign-ins beyond this many live sessions push out the oldest, so sign-in floods cannot grow memory.</summary>
    private const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public ConsoleSession Start(string accessKeyId, Credential credential)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            Sweep(now);
            foreach (var oldest in _sessions.Values.OrderBy(s => s.LastSeen).Take(_sessions.Count - MaxSessions + 1))
            {
                _sessions.TryRemove(oldest.Id, out _);
            }
        }

        var session = new ConsoleSession(NewToken(), accessKeyId, credential, NewToken(), now);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The live session with this id, its idle clock restarted; null when unknown, ended or expired.</summary>
    public ConsoleSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (IsExpired(session, now))
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    public void End(string id) => _sessions.TryRemove(id, out _);

    /// <summary>A random 256-bit token, URL- and cookie-safe.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool IsExpired(ConsoleSession session, DateTimeOffset now) =>
        now - session.LastSeen > IdleTimeout || now - session.Created > MaxAge;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var session in _sessions.Values.Where(s => IsExpired(s, now)))
        {
            _sessions.TryRemove(session.Id, out _);
        }
    }
}
