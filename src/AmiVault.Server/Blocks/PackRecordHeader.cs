namespace AmiVault.Blocks;

/// <summary>A parsed record header (see <see cref="PackFormat"/>).</summary>
internal sealed record PackRecordHeader(PackRecordFlags Flags, int StoredLength, byte[] Hash, uint KeyId)
{
    public int RecordLength => PackFormat.RecordHeaderLength + StoredLength;
}
