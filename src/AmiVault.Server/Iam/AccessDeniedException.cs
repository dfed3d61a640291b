namespace AmiVault.Iam;

/// <summary>
/// A request its principal is not allowed to make. Each protocol answers it in its own format (EC2
/// UnauthorizedOperation, S3 AccessDenied, EBS AccessDeniedException, IAM/STS AccessDenied) with AWS's message.
/// </summary>
internal sealed class AccessDeniedException(string message, string action, string resource) : Exception(message)
{
    public string Action { get; } = action;

    public string Resource { get; } = resource;
}
