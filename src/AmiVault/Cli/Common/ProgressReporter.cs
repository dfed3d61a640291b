using System.Diagnostics;

namespace AmiVault.Cli.Common;

/// <summary>
/// Progress of one transfer in bytes, written to stderr: on a terminal one line redrawn in place with throughput and
/// ETA, otherwise a plain line every few seconds (logs and CI stay readable), nothing with --quiet. Thread-safe:
/// workers call <see cref="Add"/> concurrently.
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Throughput and ETA are taken over this recent window, so a slow start does not linger in them.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private readonly CliHost? _host;
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer? _timer;
    private readonly Lock _gate = new();
    private readonly Queue<(TimeSpan At, long Done)> _recent = new();
    private long _total;
    private long _done;
    private bool _drawn;
    private bool _finished;

    /// <param name="host">Null for no output at all (--quiet).</param>
    public ProgressReporter(CliHost? host, string label, long total)
    {
        _host = host;
        _label = label;
        _total = total;
        if (host is not null)
        {
            var interval = host.ErrorIsTerminal ? TerminalInterval : host.PlainProgressInterval;
            _timer = new Timer(_ => Draw(), null, interval, interval);
        }
    }

    public long Done => Interlocked.Read(ref _done);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>More to show after the bytes (sync: objects done of how many), asked at each redraw.</summary>
    public Func<string>? Detail { get; set; }

    public void Add(long bytes) => Interlocked.Add(ref _done, bytes);

    /// <summary>For transfers whose size is learnt on the way (an export learns its volume size from the first page).</summary>
    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>Writes the closing line (what was done, how fast) and stops redrawing.</summary>
    public void Finish(string? summary = null)
    {
        _timer?.Dispose();
        lock (_gate)
        {
            if (_host is null || _finished)
            {
                return;
            }

            _finished = true;
            ClearLine();
            var elapsed = _clock.Elapsed;
            _host.Error.WriteLine(summary ?? $"{_label}: {Sizes.Format(Done)} in {Sizes.Duration(elapsed)} ({Sizes.Rate(Done / Math.Max(elapsed.TotalSeconds, 1e-3))})");
            _host.Error.Flush();
        }
    }

    /// <summary>Stops without a closing line (the command failed and says why itself).</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            if (_host is not null && !_finished)
            {
                _finished = true;
                ClearLine();
                _host.Error.Flush();
            }
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_host is null || _finished)
            {
                return;
            }

            var done = Done;
            var total = Interlocked.Read(ref _total);
            if (done == 0 && total == 0)
            {
                return;
            }

            var now = _clock.Elapsed;
            _recent.Enqueue((now, done));
            while (_recent.Count > 2 && now - _recent.Peek().At > RateWindow)
            {
                _recent.Dequeue();
            }

            var (since, doneThen) = _recent.Count > 1 ? _recent.Peek() : (TimeSpan.Zero, 0L);
            var rate = (done - doneThen) / Math.Max((now - since).TotalSeconds, 1e-3);
            var line = total > 0
                ? $"{_label}: {Sizes.Format(done)} / {Sizes.Format(total)} ({Math.Min(100, done * 100 / total)}%), {Sizes.Rate(rate)}, ETA {(rate > 0 ? Sizes.Duration(TimeSpan.FromSeconds(Math.Max(0, total - done) / rate)) : "?")}"
                : $"{_label}: {Sizes.Format(done)}, {Sizes.Rate(rate)}";
            if (Detail is { } detail)
            {
                line += ", " + detail();
            }

            if (_host.ErrorIsTerminal)
            {
                _host.Error.Write("\r" + line + "\u001b[K");
                _drawn = true;
            }
            else
            {
                _host.Error.WriteLine(line);
            }

            _host.Error.Flush();
        }
    }

    private void ClearLine()
    {
        if (_drawn)
        {
            _host!.Error.Write("\r\u001b[K");
            _drawn = false;
        }
    }
}
