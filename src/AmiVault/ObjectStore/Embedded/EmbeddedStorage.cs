using System.Security.Cryptography;
using System.Text;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Where the embedded store keeps things, and what its account views share (locks, the encryption key).
/// <code>
/// buckets/NAME/bucket.json              owner, region, default encryption
/// buckets/NAME/objects/XX/SHA256.json   one object's metadata (file named by the SHA-256 of its key)
/// buckets/NAME/data/…                   object data files, referenced by the metadata
/// buckets/NAME/uploads/ID/              a multipart upload: upload.json and its parts
/// buckets/NAME/tmp/                     files being written; emptied at start
/// keys/object-encryption.key            the master key of encryption at rest, outside every bucket folder
/// </code>
/// </summary>
internal sealed class EmbeddedStorage
{
    private readonly Lazy<byte[]> _masterKey;

    public EmbeddedStorage(string dataDir, string region, TimeProvider time)
    {
        Root = Path.Combine(dataDir, "buckets");
        Region = region;
        Time = time;
        var keyFile = Path.Combine(dataDir, "keys", "object-encryption.key");
        _masterKey = new Lazy<byte[]>(() => LoadOrCreateKey(keyFile), LazyThreadSafetyMode.ExecutionAndPublication);
        Directory.CreateDirectory(Root);
        ClearTemporaryFiles();
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

    public string ObjectFile(string bucket, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(Root, bucket, "objects", hash[..2], hash + ".json");
    }

    public string DataDir(string bucket) => Path.Combine(Root, bucket, "data");

    public string TempFile(string bucket) => Path.Combine(Root, bucket, "tmp", Guid.NewGuid().ToString("N"));

    public string UploadsDir(string bucket) => Path.Combine(Root, bucket, "uploads");

    public string UploadDir(string bucket, string uploadId) => Path.Combine(Root, bucket, "uploads", uploadId);

    /// <summary>Whatever a crash left half-written; nothing refers to it.</summary>
    private void ClearTemporaryFiles()
    {
        foreach (var bucket in Directory.EnumerateDirectories(Root))
        {
            var temp = Path.Combine(bucket, "tmp");
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        // Buckets being created or deleted are renamed to and from dot-names, which are never bucket names.
        foreach (var pending in Directory.EnumerateDirectories(Root, ".*"))
        {
            Directory.Delete(pending, recursive: true);
        }
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            return existing.Length == 32 ? existing : throw new InvalidDataException($"{path} is not a 32-byte key.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            file.Write(key);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: false);
        return key;
    }
}
