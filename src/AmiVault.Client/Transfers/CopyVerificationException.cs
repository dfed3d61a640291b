namespace AmiVault.Transfers;

/// <summary>A copy finished but what the destination holds does not match what was read from the source.</summary>
internal sealed class CopyVerificationException(string message, Exception? inner = null) : Exception(message, inner);
