using MmSim.Machine;
using MmSim.Mm;
using MmSim.Physical;
using MmSim.Swap;

namespace MmSim.Reclaim;

/// <summary>
/// Page reclaim, classic two-list LRU (mm/vmscan.c): shrink_node → shrink_lruvec scans each list in chunks of
/// SWAP_CLUSTER_MAX, the amounts set by get_scan_count; shrink_inactive_list reclaims from the tail of the
/// inactive lists, shrink_active_list moves pages down from the active lists. Direct reclaim
/// (try_to_free_pages) and kswapd (balance_pgdat, in <see cref="Kswapd"/>) both drive it.
/// This file: the node and lruvec level; the lists are in Vmscan.Lists.cs, the balance in Vmscan.ScanCount.cs.
/// </summary>
public sealed partial class Vmscan
{
    private readonly Kernel _k;
    private readonly Rmap _rmap;
    private readonly SwapOps _swap;
    private readonly Workingset _workingset;
    private long _refaultsAnonSnapshot, _refaultsFileSnapshot;

    public Vmscan(Kernel kernel, Rmap rmap, SwapOps swap, Workingset workingset)
    {
        _k = kernel;
        _rmap = rmap;
        _swap = swap;
        _workingset = workingset;
    }

    /// <summary>shrink_node: one pass over the node's lruvec at the pass's priority. Any progress clears
    /// kswapd's failure count.</summary>
    public void ShrinkNode(ScanControl sc)
    {
        long before = sc.NrReclaimed;
        _k.Memcg?.PrepareShrink(sc); // memcg issue: shrink_node_memcgs' protection and target
        PrepareScanControl(sc);
        ShrinkLruvec(sc);
        if (sc.NrReclaimed > before) ReclaimProgress?.Invoke();
    }

    /// <summary>Called when a pass reclaimed something (resets kswapd_failures).</summary>
    public Action? ReclaimProgress;

    /// <summary>kswapd_age_node: with swap, moves pages down the anon lists when the inactive one is low.</summary>
    public void AgeAnon(ScanControl sc)
    {
        if (!CanReclaimAnon(sc)) return;
        if (InactiveIsLow(LruList.InactiveAnon)) ShrinkActiveList(CostModel.SwapClusterMax, LruList.ActiveAnon, sc);
    }

    /// <summary>
    /// try_to_free_pages / do_try_to_free_pages: direct reclaim by the allocating task, 32 pages wanted, from
    /// priority 12 down to 0; allocstall_&lt;zone&gt; counts the call. Returns the pages reclaimed (0: no progress).
    /// </summary>
    public long TryToFreePages(ZoneType reclaimIdx, out long costNs)
    {
        var sc = new ScanControl { NrToReclaim = CostModel.SwapClusterMax, ReclaimIdx = reclaimIdx, MayWritepage = true };
        _k.Events.Inc(reclaimIdx switch
        {
            ZoneType.Dma => VmEvent.allocstall_dma,
            ZoneType.Dma32 => VmEvent.allocstall_dma32,
            ZoneType.Normal => VmEvent.allocstall_normal,
            _ => VmEvent.allocstall_movable,
        });
        while (true)
        {
            for (sc.Priority = ScanControl.DefPriority; sc.Priority >= 0; sc.Priority--)
            {
                sc.NrScanned = 0;
                ShrinkNode(sc);
                if (sc.NrReclaimed >= sc.NrToReclaim) break;
            }
            SnapshotRefaults();
            if (sc.NrReclaimed == 0 && sc.MemcgLowSkipped && !sc.MemcgLowReclaim) { sc.MemcgLowReclaim = true; continue; } // memcg issue
            if (sc.NrReclaimed > 0 || !sc.SkippedDeactivate || sc.ForceDeactivate) break;
            // Nothing reclaimed because the active lists were left alone: retry deactivating them.
            sc.ForceDeactivate = true;
            sc.SkippedDeactivate = false;
        }
        costNs = sc.CostNs;
        return sc.NrReclaimed;
    }

    /// <summary>snapshot_refaults: remembers the activation counters, so the next pass sees new refaults.</summary>
    public void SnapshotRefaults()
    {
        _refaultsAnonSnapshot = _k.Events[VmEvent.workingset_activate_anon];
        _refaultsFileSnapshot = _k.Events[VmEvent.workingset_activate_file];
    }

    /// <summary>
    /// shrink_lruvec: scans the lists by get_scan_count's targets, SWAP_CLUSTER_MAX at a time; once enough is
    /// reclaimed (except in direct reclaim at DEF_PRIORITY) the smaller type stops and the other is scaled to
    /// the share left. Then ages the anon active list if the inactive one is low.
    /// </summary>
    private void ShrinkLruvec(ScanControl sc)
    {
        Span<long> nr = stackalloc long[4];
        Span<long> targets = stackalloc long[4];
        GetScanCount(sc, nr);
        nr.CopyTo(targets);
        bool proportional = !sc.IsKswapd && sc.Priority == ScanControl.DefPriority;
        long reclaimed = 0;
        long toReclaim = sc.NrToReclaim;
        long start = sc.NrReclaimed;
        while (nr[(int)LruList.InactiveAnon] > 0 || nr[(int)LruList.ActiveFile] > 0 || nr[(int)LruList.InactiveFile] > 0)
        {
            for (int l = 0; l < 4; l++)
            {
                if (nr[l] == 0) continue;
                long n = Math.Min(nr[l], CostModel.SwapClusterMax);
                nr[l] -= n;
                ShrinkList((LruList)l, n, sc);
            }
            reclaimed = sc.NrReclaimed - start;
            if (reclaimed < toReclaim || proportional) continue;

            long nrFile = nr[(int)LruList.InactiveFile] + nr[(int)LruList.ActiveFile];
            long nrAnon = nr[(int)LruList.InactiveAnon] + nr[(int)LruList.ActiveAnon];
            if (nrFile == 0 || nrAnon == 0) break;
            int stop, other;
            long percentage;
            if (nrFile > nrAnon)
            {
                long target = targets[(int)LruList.InactiveAnon] + targets[(int)LruList.ActiveAnon] + 1;
                percentage = nrAnon * 100 / target;
                stop = (int)LruList.InactiveAnon;
                other = (int)LruList.InactiveFile;
            }
            else
            {
                long target = targets[(int)LruList.InactiveFile] + targets[(int)LruList.ActiveFile] + 1;
                percentage = nrFile * 100 / target;
                stop = (int)LruList.InactiveFile;
                other = (int)LruList.InactiveAnon;
            }
            nr[stop] = 0;
            nr[stop + 1] = 0;
            for (int l = other; l <= other + 1; l++)
            {
                long scanned = targets[l] - nr[l];
                nr[l] = targets[l] * (100 - percentage) / 100;
                nr[l] -= Math.Min(nr[l], scanned);
            }
        }
        if (CanReclaimAnon(sc) && InactiveIsLow(LruList.InactiveAnon))
            ShrinkActiveList(CostModel.SwapClusterMax, LruList.ActiveAnon, sc);
    }

    private long ShrinkList(LruList lru, long n, ScanControl sc)
    {
        if (lru is LruList.ActiveAnon or LruList.ActiveFile)
        {
            bool file = lru == LruList.ActiveFile;
            if (file ? sc.MayDeactivateFile : sc.MayDeactivateAnon) ShrinkActiveList(n, lru, sc);
            else sc.SkippedDeactivate = true;
            return 0;
        }
        return ShrinkInactiveList(n, lru, sc);
    }

    /// <summary>
    /// pgdat_balanced: some zone up to <paramref name="highestZone"/> has free pages above its high watermark
    /// plus lowmem_reserve[highestZone] (zone_watermark_ok_safe).
    /// </summary>
    public bool PgdatBalanced(ZoneType highestZone)
    {
        bool any = false;
        foreach (var z in _k.Phys.Zones)
        {
            if ((int)z.Type > (int)highestZone || z.ManagedPages == 0) continue;
            any = true;
            if (_k.Phys.ZoneWatermarkOk(z, 0, z.WatermarkHigh, highestZone, AllocFlags.WmarkHigh)) return true;
        }
        return !any;
    }
}
