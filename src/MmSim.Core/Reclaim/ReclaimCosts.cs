namespace MmSim.Reclaim;

/// <summary>
/// What reclaim costs in simulated time (a model, not the kernel's): the CPU work of isolating and checking a
/// page, and swap writes, issued in batches of SWAP_CLUSTER_MAX pages, each batch taking the swap device's write
/// latency. The reclaimer — kswapd, or the allocating task in direct reclaim — is busy for that long.
/// </summary>
public static class ReclaimCosts
{
    public const long ScanNsPerPage = 100;
    public const long FreeNsPerPage = 100;
    public const int WriteBatch = CostModel.SwapClusterMax;
}
