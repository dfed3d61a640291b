namespace AmiVault.Tests.Tasks;

/// <summary>
/// The EC2 waiters the store/restore journey uses, for the AWS CLI of this machine: Debian's aws-cli 2.9.19 runs on
/// botocore 1.29.27, which predates the StoreImageTaskComplete waiter (botocore has it in 1.43). botocore reads models
/// from AWS_DATA_PATH before its own, so the waiters are given there as AWS defines them (aws-wire-notes.md §2.2,
/// §3.3: the same operation, delay, attempts and acceptors), and `aws ec2 wait store-image-task-complete` runs the
/// CLI's own waiter machinery against the server. The file replaces the CLI's EC2 waiters for the runs given it.
/// </summary>
internal static class CliWaiters
{
    private const string Waiters = """
        {
          "version": 2,
          "waiters": {
            "StoreImageTaskComplete": {
              "operation": "DescribeStoreImageTasks",
              "delay": 5,
              "maxAttempts": 40,
              "acceptors": [
                { "state": "success", "matcher": "pathAll", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "Completed" },
                { "state": "failure", "matcher": "pathAny", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "Failed" },
                { "state": "retry", "matcher": "pathAny", "argument": "StoreImageTaskResults[].StoreTaskState", "expected": "InProgress" }
              ]
            },
            "ImageAvailable": {
              "operation": "DescribeImages",
              "delay": 15,
              "maxAttempts": 40,
              "acceptors": [
                { "state": "success", "matcher": "pathAll", "argument": "Images[].State", "expected": "available" },
                { "state": "failure", "matcher": "pathAny", "argument": "Images[].State", "expected": "failed" }
              ]
            }
          }
        }
        """;

    /// <summary>The environment for a CLI run that waits: AWS_DATA_PATH at a copy of the waiters under <paramref name="workDir"/>.</summary>
    public static IReadOnlyDictionary<string, string> Variables(string workDir)
    {
        var root = Path.Combine(workDir, "aws-data");
        var dir = Path.Combine(root, "ec2", "2016-11-15");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "waiters-2.json"), Waiters);
        return new Dictionary<string, string> { ["AWS_DATA_PATH"] = root };
    }
}
