namespace AmiVault.Iam.Policies;

/// <summary>A policy document that cannot be used as written; IAM answers it as MalformedPolicyDocument.</summary>
internal sealed class MalformedPolicyException(string message) : Exception(message);
