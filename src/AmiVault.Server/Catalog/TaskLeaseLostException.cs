namespace AmiVault.Catalog;

/// <summary>A job's write refused because another node has claimed its task since (see <see cref="TaskFence"/>): this node must stop and write nothing more.</summary>
internal sealed class TaskLeaseLostException(TaskFence fence)
    : Exception($"{fence.Kind} task {fence.TaskId} was taken over by another node (this node's lease generation {fence.Generation} is stale).");
