namespace MmSim.Reclaim;

/// <summary>
/// Reclaim's batch size. What reclaim costs in simulated time (a model, not the kernel's) is the machine's:
/// <c>latency.reclaim_scan</c> to isolate and check a page, <c>reclaim_free</c> to free it, <c>swap_submit</c> to
/// prepare and submit its swap write (<see cref="Workloads.LatencySpec"/>). The writes themselves are asynchronous
/// (<see cref="Swap.SwapIo"/>): the reclaimer does not wait for them, but a page is only freed once its write has
/// completed.
/// </summary>
public static class ReclaimCosts
{
    public const int WriteBatch = CostModel.SwapClusterMax;
}
