namespace AmiVault.Tests.Faults;

/// <summary>One bit <see cref="FaultProxy"/> flipped: in the body of the answer to <paramref name="PathAndQuery"/>, at byte <paramref name="Offset"/> of that body.</summary>
internal sealed record BitFlip(string Method, string PathAndQuery, long Offset, int Bit);
