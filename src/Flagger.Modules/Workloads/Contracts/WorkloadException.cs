namespace Flagger.Modules.Workloads.Contracts;

/// <summary>
/// A workload operation that could not be carried out this tick, with upstream's message. The reconciler records it
/// as a Warning event and retries on the next tick; it is never a reason to roll back.
/// </summary>
public sealed class WorkloadException(string message, Exception? inner = null) : Exception(message, inner);
