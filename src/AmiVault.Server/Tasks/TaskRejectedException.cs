namespace AmiVault.Tasks;

/// <summary>A task refused at request time, with the EC2 error code the caller gets (nothing is queued).</summary>
internal sealed class TaskRejectedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
