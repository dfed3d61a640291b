namespace AmiVault.Cli.Common;

/// <summary>
/// What `amivault` returns, on the AWS CLI's scheme (130, 252-255) plus one code of its own for data that does not
/// check out. Documented in `amivault --help` and docs/cli.md.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Data did not verify: a corrupt or truncated archive, a digest, size or ETag that does not match.</summary>
    public const int VerificationFailed = 3;

    /// <summary>Interrupted by Ctrl-C or SIGTERM; nothing half-written is left behind (a copy can be resumed).</summary>
    public const int Interrupted = 130;

    /// <summary>The command line is wrong: unknown option, bad value, a file that would be overwritten without --force.</summary>
    public const int Usage = 252;

    /// <summary>The environment is not set up: no credentials or region, unknown profile, a missing tool (qemu-img).</summary>
    public const int Configuration = 253;

    /// <summary>The service answered with an error (no such bucket, access denied, invalid snapshot…).</summary>
    public const int ServiceError = 254;

    /// <summary>Anything else: an endpoint that cannot be reached, a local I/O error, a bug.</summary>
    public const int Failure = 255;

    public const string HelpText = """
        Exit codes: 0 success; 3 data did not verify (corrupt archive, digest/size/ETag mismatch);
        130 interrupted (Ctrl-C); 252 invalid command line; 253 configuration missing (credentials, region, profile,
        qemu-img); 254 the service returned an error; 255 other failure (endpoint unreachable, local I/O).
        """;
}
