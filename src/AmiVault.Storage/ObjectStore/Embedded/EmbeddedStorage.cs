using System.Security.Cryptography;
using System.Text;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Where the embedded store keeps things, and what its account views share (locks, the encryption key).
/// <code>
/// buckets/NAME/bucket.json              owner, region, default encryption
/// buckets/NAME/objects/XX/kHEX.json     one object's metadata, named by its key in hex (hSHA256 for long keys)
/// buckets/NAME/data/…                   object data files, referenced by the metadata
/// buckets/NAME/uploads/ID/              a multipart upload: upload.json and its parts
/// buckets/NAME/tmp/                     files being written; emptied at start
/// keys/object-encryption.key            the master key of encryption at rest, outside every bucket folder
/// </code>
/// </summary>
internal sealed class EmbeddedStorage
{
    private const int MaxNamedKeyBytes = 100;

    private readonly Lazy<byte[]> _masterKey;

    public EmbeddedStorage(string dataDir, string region, TimeProvider time)
    {
        Root = Path.Combine(dataDir, "buckets");
        Region = region;
        Time = time;
        var keyFile = Path.Combine(dataDir, "keys", "object-encryption.key");
        _masterKey = new Lazy<byte[]>(() => LoadOrCreateKey(keyFile), LazyThreadSafetyMode.ExecutionAndPublication);
        IO.DurableFile.CreateDirectory(Root);
        ClearTemporaryFiles();
        ReclaimUnreferencedData();
    }

    public string Root { get; }

    public string Region { get; }

    public TimeProvider Time { get; }

    public StripedLocks KeyLocks { get; } = new();

    public StripedLocks UploadLocks { get; } = new();

    public byte[] MasterKey => _masterKey.Value;

    public string BucketDir(string bucket) => Path.Combine(Root, bucket);

    public string BucketFile(string bucket) => Path.Combine(Root, bucket, "bucket.json");

    public string ObjectsDir(string bucket) => Path.Combine(Root, bucket, "objects");

    /// <summary>
    /// Keys up to <see cref="MaxNamedKeyBytes"/> are spelled in the file name, so a listing learns them from the
    /// folder without opening a file; longer ones (file names have a limit) use their hash and are read.
    /// </summary>
    public string ObjectFile(string bucket, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var name = bytes.Length <= MaxNamedKeyBytes ? "k" + Convert.ToHexStringLower(bytes) : "h" + hash;
        return Path.Combine(Root, bucket, "objects", hash[..2], name + ".json");
    }

    /// <summary>The key an object's metadata file is named after; null for a long key named by its hash.</summary>
    public static string? KeyOfObjectFile(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.StartsWith('k') ? Encoding.UTF8.GetString(Convert.FromHexString(name.AsSpan(1))) : null;
    }

    public string DataDir(string bucket) => Path.Combine(Root, bucket, "data");

    public string TempFile(string bucket) => Path.Combine(Root, bucket, "tmp", Guid.NewGuid().ToString("N"));

    public string UploadsDir(string bucket) => Path.Combine(Root, bucket, "uploads");

    public string UploadDir(string bucket, string uploadId) => Path.Combine(Root, bucket, "uploads", uploadId);

    /// <summary>The folders every bucket has from its creation on; nothing creates them later, so a bucket deleted
    /// while a request is under way cannot come back as a folder without its bucket.json.</summary>
    public static void CreateBucketFolders(string bucketDir)
    {
        foreach (var folder in new[] { "objects", "data", "uploads", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(bucketDir, folder));
        }
    }

    /// <summary>Whatever a crash left half-written; nothing refers to it.</summary>
    private void ClearTemporaryFiles()
    {
        foreach (var bucket in Directory.EnumerateDirectories(Root))
        {
            var temp = Path.Combine(bucket, "tmp");
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
                Directory.CreateDirectory(temp);
            }
        }

        // Buckets being created or deleted are renamed to and from dot-names, which are never bucket names.
        foreach (var pending in Directory.EnumerateDirectories(Root, ".*"))
        {
            Directory.Delete(pending, recursive: true);
        }
    }

    /// <summary>
    /// Data that no object refers to: a crash came between writing it and committing the object (or between
    /// replacing an object and deleting its old data). Nothing else runs yet, so nothing can be about to refer to it.
    /// </summary>
    private void ReclaimUnreferencedData()
    {
        foreach (var bucket in Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>())
        {
            var data = DataDir(bucket);
            if (!Directory.Exists(data))
            {
                continue;
            }

            var objects = ObjectsDir(bucket);
            var referenced = Directory.Exists(objects)
                ? Directory.EnumerateFiles(objects, "*.json", SearchOption.AllDirectories)
                    .Select(DurableFile.ReadJson<ObjectRecord>).OfType<ObjectRecord>().Select(r => r.DataPath).ToHashSet(StringComparer.Ordinal)
                : [];
            foreach (var entry in Directory.EnumerateFileSystemEntries(data).Where(e => !referenced.Contains(Path.GetFileName(e))))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            return existing.Length == 32 ? existing : throw new InvalidDataException($"{path} is not a 32-byte key.");
        }

        IO.DurableFile.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        IO.DurableFile.WriteAll(path, key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
