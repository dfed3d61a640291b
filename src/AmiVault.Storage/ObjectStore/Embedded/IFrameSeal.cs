namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// How the 64 KiB frames of one data file are sealed, so that a read checks every frame it touches, and only those:
/// AES-256-GCM for encrypted objects (<see cref="SegmentCipher"/>), a keyed checksum for plain ones
/// (<see cref="SegmentChecksum"/>). Each frame is stored as its data followed by a tag of <see cref="TagSize"/> bytes;
/// the tag covers the frame's index and whether it is the last, so frames cannot be reordered, dropped or cut off.
/// </summary>
internal interface IFrameSeal : IDisposable
{
    /// <summary>The bytes at the start of the file, before the first frame.</summary>
    int HeaderSize { get; }

    int TagSize { get; }

    /// <summary>Writes the frame's stored form (data, then tag) into <paramref name="stored"/>.</summary>
    void Seal(long index, bool last, ReadOnlySpan<byte> plain, Span<byte> stored);

    /// <summary>Checks a stored frame and writes its data into <paramref name="plain"/>; a frame that fails the check is
    /// <see cref="ObjectStoreErrors.StoredDataCorrupt"/>.</summary>
    void Open(long index, bool last, ReadOnlySpan<byte> stored, Span<byte> plain);
}
