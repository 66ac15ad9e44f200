using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary><c>struct scan_control</c> (mm/vmscan.c): one reclaim pass's goal, limits and tallies.</summary>
public sealed class ScanControl
{
    public const int DefPriority = 12;

    public long NrToReclaim;
    public int Priority = DefPriority;
    public bool MayWritepage = true;
    public bool MayUnmap = true;
    public bool MaySwap = true;
    public bool IsKswapd;
    /// <summary>The highest zone whose pages may be reclaimed (gfp_zone of the allocation).</summary>
    public ZoneType ReclaimIdx = ZoneType.Movable;
    public bool ForceDeactivate;
    public bool SkippedDeactivate;

    // prepare_scan_control's snapshot
    public long AnonCost, FileCost;
    public bool MayDeactivateAnon, MayDeactivateFile;
    public bool CacheTrimMode, FileIsTiny;

    // tallies
    public long NrScanned;
    public long NrReclaimed;
    /// <summary>Simulated time the pass took (scanning and the I/O it waited for).</summary>
    public long CostNs;
    public long NrPageout;

    // memcg issue: the cgroup reclaimed for (try_to_free_mem_cgroup_pages; null = global reclaim), and the
    // memory.low second pass (memcg_low_reclaim / memcg_low_skipped).
    public Memcg.MemCgroup? TargetMemcg;
    public bool MemcgLowReclaim, MemcgLowSkipped;
}
