namespace AmiVault.Transfers;

/// <summary>One part's buffer out of a <see cref="TransferBudget"/>; disposing it returns the array and the memory.</summary>
internal sealed class TransferBuffer(TransferBudget budget, byte[] array, int length, long held) : IDisposable
{
    private bool _returned;

    /// <summary>The whole array (at least <see cref="Length"/> bytes), for APIs that take an array and a count.</summary>
    public byte[] Array { get; } = array;

    public int Length { get; } = length;

    public Memory<byte> Memory => Array.AsMemory(0, Length);

    public void Dispose()
    {
        if (!_returned)
        {
            _returned = true;
            budget.Return(Array, held);
        }
    }
}
