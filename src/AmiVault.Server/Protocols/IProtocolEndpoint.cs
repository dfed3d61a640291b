using AmiVault.Auth;
using AmiVault.Iam;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols;

/// <summary>One AWS wire protocol served on the shared port (EC2 Query, EBS REST-JSON, S3 REST-XML, IAM and STS Query).</summary>
internal interface IProtocolEndpoint
{
    /// <summary>The SigV4 service name requests for this protocol are signed with.</summary>
    string Service { get; }

    /// <summary>The largest body this protocol accepts when it has to be buffered to be hashed.</summary>
    long MaxBufferedBody { get; }

    /// <summary>Whether an unsigned or unroutable request looks like this protocol, so its error is in the right shape.</summary>
    bool Claims(HttpRequest request);

    Task HandleAsync(HttpContext context, RequestIdentity identity);

    Task WriteAuthFailureAsync(HttpContext context, AuthFailureException failure);

    /// <summary>Answers a request its principal may not make, in the protocol's own error format.</summary>
    Task WriteAccessDeniedAsync(HttpContext context, AccessDeniedException denied);

    /// <summary>Answers an unexpected failure without leaking its details (they go to the log).</summary>
    Task WriteInternalErrorAsync(HttpContext context);
}
