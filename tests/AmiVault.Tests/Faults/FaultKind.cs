namespace AmiVault.Tests.Faults;

/// <summary>What <see cref="FaultProxy"/> can do to one request instead of passing it through faithfully.</summary>
public enum FaultKind
{
    /// <summary>500 InternalError (EBS: InternalServerException; SSM: InternalServerError) without asking the server.</summary>
    ServerError,

    /// <summary>503 SlowDown (EBS, SSM: 400 ThrottlingException; EC2: 503 RequestLimitExceeded) without asking the server, with Retry-After when <see cref="FaultProxy.RetryAfter"/> is set.</summary>
    SlowDown,

    /// <summary>The answer set in <see cref="FaultProxy.Answer"/> (a 4xx, say) without asking the server.</summary>
    Answer,

    /// <summary>
    /// The connection reset in the middle of a body: the request's when it has one (part of it read, then RST),
    /// else the answer's (headers and half the body sent, then RST).
    /// </summary>
    ResetMidBody,

    /// <summary>No byte for longer than any client waits: the answer's headers and half its body, then silence (before the headers when it has no body).</summary>
    Stall,

    /// <summary>A well-framed but short answer: the first half of the body with a Content-Length saying so (Content-Range left as the server sent it).</summary>
    TruncatedBody,

    /// <summary>
    /// The request passed on whole and answered by the server (the work is done), then the connection reset before
    /// any of the answer reaches the client: what a client sees when an answer is lost on the way back.
    /// </summary>
    LoseAnswer,

    /// <summary>One bit of the answer's body flipped; every flip is recorded in <see cref="FaultProxy.Flips"/>.</summary>
    BitFlip,
}
