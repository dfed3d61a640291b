namespace AmiVault.Archive;

/// <summary>
/// Part of a snapshot's run that falls in one frame: <paramref name="Count"/> block indices from
/// <paramref name="FirstBlockIndex"/>, taking slots from <paramref name="Slot"/> on, or all the same slot when
/// <paramref name="Repeated"/>.
/// </summary>
internal readonly record struct RestorePiece(int Frame, int Slot, long FirstBlockIndex, long Count, bool Repeated);
