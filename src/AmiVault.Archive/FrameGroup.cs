namespace AmiVault.Archive;

/// <summary>Adjacent frames read with one ranged read: frames <c>[FirstFrame, EndFrame)</c>, bytes <c>[Offset, Offset + Length)</c>.</summary>
internal readonly record struct FrameGroup(int FirstFrame, int EndFrame, long Offset, int Length)
{
    /// <summary>
    /// Groups the given frames (ascending, distinct) into reads of about <paramref name="targetLength"/> bytes;
    /// only frames that follow each other in the archive share a read.
    /// </summary>
    public static IEnumerable<FrameGroup> Plan(IEnumerable<int> frames, ArchiveIndex index, int targetLength)
    {
        FrameGroup? open = null;
        foreach (var number in frames)
        {
            var frame = index.Frame(number);
            if (open is { } group && group.EndFrame == number && group.Length + frame.StoredLength <= targetLength)
            {
                open = group with { EndFrame = number + 1, Length = group.Length + frame.StoredLength };
                continue;
            }

            if (open is { } full)
            {
                yield return full;
            }

            open = new FrameGroup(number, number + 1, frame.Offset, frame.StoredLength);
        }

        if (open is { } last)
        {
            yield return last;
        }
    }
}
