using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AmiVault.IO;

namespace AmiVault.Transfers;

/// <summary>
/// The record of an unfinished copy, one file per destination object under the state folder: a header line (source
/// version, destination, upload id, part size), then one line per part the destination accepted, appended and
/// flushed to disk as each part finishes. JSON lines, so a crash mid-append costs at most the torn last line (that
/// part is sent again). Deleted when the copy completes.
/// </summary>
internal sealed class CopyJournal : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Lock _gate = new();
    private FileStream? _append;

    private CopyJournal(string path, CopyJournalHeader header, IReadOnlyDictionary<int, CopiedPart> parts)
    {
        Path = path;
        Header = header;
        Parts = parts;
    }

    public string Path { get; }

    public CopyJournalHeader Header { get; }

    /// <summary>The parts recorded when the journal was opened.</summary>
    public IReadOnlyDictionary<int, CopiedPart> Parts { get; }

    /// <summary>Where the journal of a copy to <paramref name="destination"/> lives.</summary>
    public static string PathFor(string stateDirectory, CopyEnd destination)
    {
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{destination.Endpoint}\n{destination.Bucket}\n{destination.Key}")))[..32];
        return System.IO.Path.Combine(stateDirectory, name + ".copy.jsonl");
    }

    /// <summary>The journal at <paramref name="path"/>, or null if there is none or it cannot be read.</summary>
    public static CopyJournal? Open(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        CopyJournalHeader? header;
        try
        {
            header = lines.Length == 0 ? null : JsonSerializer.Deserialize<CopyJournalHeader>(lines[0], Json);
        }
        catch (JsonException)
        {
            header = null;
        }

        if (header is null || header.Version != CopyJournalHeader.CurrentVersion)
        {
            return null;
        }

        var parts = new Dictionary<int, CopiedPart>();
        foreach (var line in lines.Skip(1))
        {
            try
            {
                if (JsonSerializer.Deserialize<CopiedPart>(line, Json) is { Part: > 0, ETag.Length: > 0 } part)
                {
                    parts[part.Part] = part;
                }
            }
            catch (JsonException)
            {
                // The torn last line of a crash: that part is sent again.
            }
        }

        return new CopyJournal(path, header, parts);
    }

    /// <summary>Starts a journal (replacing any other at <paramref name="path"/>), durably, before the first part is sent.</summary>
    public static CopyJournal Create(string path, CopyJournalHeader header)
    {
        DurableFile.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        DurableFile.WriteAll(path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header, Json) + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new CopyJournal(path, header, new Dictionary<int, CopiedPart>());
    }

    /// <summary>Records a part the destination accepted; on disk when this returns.</summary>
    public void Record(CopiedPart part)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(part, Json) + "\n");
        lock (_gate)
        {
            _append ??= new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            _append.Write(line);
            _append.Flush(flushToDisk: true);
        }
    }

    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _append?.Dispose();
            _append = null;
        }
    }
}
