namespace AmiVault.Tests.Support;

/// <summary>
/// The "Category" trait of tests that `scripts/test.sh --fast` leaves out: what starts something outside this process or
/// takes minutes. Everything else is a unit or in-process test and runs in the fast tier; `scripts/test.sh` runs all.
/// </summary>
internal static class TestCategories
{
    /// <summary>Starts (or uses) the Ceph RGW of the run.</summary>
    public const string Ceph = "Ceph";

    /// <summary>Runs another program: the AWS CLI, boto3, openssl, PostgreSQL, `amivault` as a child process, qemu-img, zstd, restic.</summary>
    public const string Process = "Process";

    /// <summary>Drives the web console in headless Chromium.</summary>
    public const string Browser = "Browser";

    /// <summary>Moves gigabytes (the largest images).</summary>
    public const string Big = "Big";
}
