namespace MmSim.Reclaim;

/// <summary>
/// What reclaim costs in simulated time (a model, not the kernel's): the CPU work of isolating and checking a
/// page, freeing it, and submitting a swap write. The writes themselves are asynchronous (<see cref="Swap.SwapIo"/>):
/// the reclaimer does not wait for them, but a page is only freed once its write has completed.
/// </summary>
public static class ReclaimCosts
{
    public const long ScanNsPerPage = 100;
    public const long FreeNsPerPage = 100;
    public const int WriteBatch = CostModel.SwapClusterMax;
    /// <summary>Preparing and submitting the write of one page to swap (the write itself is asynchronous).</summary>
    public const long SubmitNsPerPage = 500;
}
