namespace AmiVault.Archive;

/// <summary>A frame as the index places it: where its bytes are and which stored blocks it holds.</summary>
internal readonly record struct ArchiveFrame(int Number, long Offset, int StoredLength, FrameCodec Codec, int BlockCount, int FirstStoredBlock);
