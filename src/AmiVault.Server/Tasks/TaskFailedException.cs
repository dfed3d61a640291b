namespace AmiVault.Tasks;

/// <summary>A task that cannot finish, with the reason DescribeStoreImageTasks or the image's state reason shows.</summary>
internal sealed class TaskFailedException(string reason) : Exception(reason);
