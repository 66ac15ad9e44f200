using MmSim.Machine;
using MmSim.Memcg;

namespace MmSim.Reclaim;

/// <summary>Reclaim on behalf of a memory cgroup (memcg issue).</summary>
public sealed partial class Vmscan
{
    /// <summary>
    /// try_to_free_mem_cgroup_pages (mm/vmscan.c): reclaim max(<paramref name="nr"/>, SWAP_CLUSTER_MAX) pages from
    /// the cgroup's subtree, priority 12 down to 0, swapping only if the cgroup may. If memory.low kept everything
    /// out of reach, one more round reclaims below low (the <c>low</c> event).
    /// Simplification of per-memcg lruvecs: the node's LRU lists are scanned and only pages charged to the subtree
    /// are taken; the scan targets come from the subtree's own LRU sizes.
    /// </summary>
    public long TryToFreeMemCgroupPages(MemCgroup memcg, long nr, bool maySwap, out long costNs)
    {
        var sc = new ScanControl
        {
            NrToReclaim = Math.Max(nr, CostModel.SwapClusterMax),
            MaySwap = maySwap,
            MayWritepage = true,
            TargetMemcg = memcg,
        };
        while (true)
        {
            for (sc.Priority = ScanControl.DefPriority; sc.Priority >= 0; sc.Priority--)
            {
                sc.NrScanned = 0;
                ShrinkNode(sc);
                if (sc.NrReclaimed >= sc.NrToReclaim) break;
            }
            if (sc.NrReclaimed > 0) break;
            if (sc.MemcgLowSkipped && !sc.MemcgLowReclaim) { sc.MemcgLowReclaim = true; continue; }
            if (!sc.SkippedDeactivate || sc.ForceDeactivate) break;
            sc.ForceDeactivate = true;
            sc.SkippedDeactivate = false;
        }
        costNs = sc.CostNs;
        return sc.NrReclaimed;
    }

    /// <summary>The lruvec size get_scan_count uses: the target cgroup's subtree for memcg reclaim.</summary>
    private long LruSizeFor(ScanControl sc, LruList lru) =>
        _k.Memcg is { } mc ? Math.Min(_k.Lru.Size(lru, sc.ReclaimIdx), mc.Eligible(lru)) : _k.Lru.Size(lru, sc.ReclaimIdx);
}

public sealed partial class Vmscan
{
    /// <summary>
    /// isolate_lru_folios with memory cgroups: only pages of cgroups this pass may reclaim from
    /// (<see cref="MemcgController.PrepareShrink"/>) are taken, at most as many as those cgroups have on the list.
    /// Pages of other cgroups are moved to the head of the list, as the kernel puts back the folios it skipped
    /// (list_splice of folios_skipped), so a protected cgroup's pages are not walked over again and again.
    /// Each page is looked at once at most.
    /// </summary>
    private long IsolateMemcg(MemcgController mc, long nrToScan, LruList lru, ScanControl sc)
    {
        var lists = _k.Lru;
        bool file = LruLists.IsFileList(lru);
        long budget = Math.Min(nrToScan, mc.Eligible(lru));
        long visits = lists.Size(lru);
        for (int p = lists.Tail(lru); p >= 0 && _isolated.Count < budget && visits-- > 0;)
        {
            int prev = lists.Newer(p);
            if ((int)_k.Phys.ZoneOf(p).Type <= (int)sc.ReclaimIdx)
            {
                if (mc.Skip(p, file)) lists.Move(p, lru);
                else
                {
                    lists.Remove(p);
                    _isolated.Add(p);
                }
            }
            p = prev;
        }
        return _isolated.Count;
    }
}
