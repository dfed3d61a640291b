namespace AmiVault.Catalog;

/// <summary>Task states as DescribeStoreImageTasks spells them.</summary>
internal static class TaskStates
{
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}
