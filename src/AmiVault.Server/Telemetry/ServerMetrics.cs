using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AmiVault.Telemetry;

/// <summary>
/// What this node counts for /metrics (Prometheus text format 0.0.4): requests by protocol, action and status class
/// with their latency, tasks this node finished by kind and outcome, bytes stored and restored, lease takeovers and
/// leases lost. Figures of the whole cluster (tasks in progress) are read from the catalog at scrape time and passed
/// in. Written by hand rather than with an exporter library: a dozen series, no dependency, no background thread.
/// </summary>
internal sealed class ServerMetrics
{
    private readonly ConcurrentDictionary<(string Protocol, string Action, string Status), RequestSeries> _requests = new();
    private readonly ConcurrentDictionary<(string Kind, string Outcome), long> _tasksFinished = new();
    private readonly ConcurrentDictionary<string, long> _takeovers = new();
    private readonly ConcurrentDictionary<string, long> _leasesLost = new();
    private long _storedBytes;
    private long _restoredBytes;

    public void RequestAnswered(string protocol, string action, int statusCode, TimeSpan elapsed) =>
        _requests.GetOrAdd((protocol, action, $"{statusCode / 100}xx"), _ => new RequestSeries()).Record(elapsed.TotalSeconds);

    public void TaskFinished(string kind, string outcome) => _tasksFinished.AddOrUpdate((kind, outcome), 1, (_, n) => n + 1);

    public void TaskTakenOver(string kind) => _takeovers.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void LeaseLost(string kind) => _leasesLost.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>Snapshot data (uncompressed, zero blocks left out) read into stored objects.</summary>
    public void Stored(long bytes) => Interlocked.Add(ref _storedBytes, bytes);

    /// <summary>Snapshot data (uncompressed, zero blocks left out) verified and written by restores.</summary>
    public void Restored(long bytes) => Interlocked.Add(ref _restoredBytes, bytes);

    /// <summary>The text a scrape answers; <paramref name="tasksInProgress"/> is the cluster's, by kind.</summary>
    public string Render(IReadOnlyDictionary<string, long> tasksInProgress)
    {
        var text = new StringBuilder();
        Header(text, "amivault_requests_total", "counter", "Requests answered, by protocol, action and HTTP status class.");
        Header(text, "amivault_request_duration_seconds", "histogram", "Time to answer a request, by protocol, action and HTTP status class.");
        foreach (var ((protocol, action, status), series) in _requests.OrderBy(r => r.Key))
        {
            var labels = $"protocol=\"{Escape(protocol)}\",action=\"{Escape(action)}\",status=\"{status}\"";
            var (cumulative, count, sum) = series.Snapshot();
            Line(text, "amivault_requests_total", labels, count);
            for (var i = 0; i < RequestSeries.Bounds.Length; i++)
            {
                Line(text, "amivault_request_duration_seconds_bucket", $"{labels},le=\"{Number(RequestSeries.Bounds[i])}\"", cumulative[i]);
            }

            Line(text, "amivault_request_duration_seconds_bucket", $"{labels},le=\"+Inf\"", count);
            text.Append("amivault_request_duration_seconds_sum{").Append(labels).Append("} ").Append(Number(sum)).Append('\n');
            Line(text, "amivault_request_duration_seconds_count", labels, count);
        }

        Header(text, "amivault_tasks_in_progress", "gauge", "Store and restore tasks in progress in the whole cluster (the catalog's count).");
        foreach (var (kind, count) in tasksInProgress.OrderBy(t => t.Key))
        {
            Line(text, "amivault_tasks_in_progress", $"kind=\"{kind}\"", count);
        }

        Header(text, "amivault_tasks_finished_total", "counter", "Tasks this node ran to an end, by kind and state.");
        foreach (var ((kind, outcome), count) in _tasksFinished.OrderBy(t => t.Key))
        {
            Line(text, "amivault_tasks_finished_total", $"kind=\"{kind}\",state=\"{outcome}\"", count);
        }

        Header(text, "amivault_stored_bytes_total", "counter", "Snapshot data read into stored objects by this node (uncompressed, zero blocks left out).");
        Line(text, "amivault_stored_bytes_total", null, Interlocked.Read(ref _storedBytes));
        Header(text, "amivault_restored_bytes_total", "counter", "Snapshot data verified and written by this node's restores (uncompressed, zero blocks left out).");
        Line(text, "amivault_restored_bytes_total", null, Interlocked.Read(ref _restoredBytes));
        Header(text, "amivault_task_takeovers_total", "counter", "Tasks this node took over because no node held their lease.");
        foreach (var (kind, count) in _takeovers.OrderBy(t => t.Key))
        {
            Line(text, "amivault_task_takeovers_total", $"kind=\"{kind}\"", count);
        }

        Header(text, "amivault_task_leases_lost_total", "counter", "Tasks this node stopped because it lost their lease (renewal refused or fenced).");
        foreach (var (kind, count) in _leasesLost.OrderBy(t => t.Key))
        {
            Line(text, "amivault_task_leases_lost_total", $"kind=\"{kind}\"", count);
        }

        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder text, string name, string? labels, long value)
    {
        text.Append(name);
        if (labels is not null)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
