using MmSim.Machine;
using MmSim.Oom;
using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary>
/// The page allocator's decisions around the free lists (mm/page_alloc.c, __alloc_pages and
/// __alloc_pages_slowpath, order 0): the fast path at the low watermark; then wake kswapd and retry at min; then
/// direct reclaim and retry, while reclaim makes progress or should_reclaim_retry sees enough reclaimable memory
/// (at most MAX_RECLAIM_RETRIES passes without progress); then one try at the high watermark and the OOM killer.
/// Time spent in direct reclaim is the allocating task's stall.
/// </summary>
public sealed class PageAllocator
{
    private const int MaxReclaimRetries = 16;
    private readonly Kernel _k;
    private readonly Vmscan _vmscan;
    private readonly Kswapd _kswapd;
    private readonly OomKiller _oom;

    private readonly Swap.SwapIo? _swapIo;

    public PageAllocator(Kernel kernel, Vmscan vmscan, Kswapd kswapd, OomKiller oom, Swap.SwapIo? swapIo = null)
    {
        _swapIo = swapIo;
        _k = kernel;
        _vmscan = vmscan;
        _kswapd = kswapd;
        _oom = oom;
    }

    /// <summary>Allocates one page whose highest usable zone is <paramref name="highest"/>
    /// (Movable: GFP_HIGHUSER_MOVABLE for user pages; Normal: GFP_KERNEL). -1 when it fails.</summary>
    public int Alloc(ZoneType highest)
    {
        var phys = _k.Phys;
        int pfn = phys.AllocPage(highest, AllocFlags.WmarkLow);
        if (pfn >= 0) return pfn;

        _kswapd.Wakeup(highest, _k.Now);
        pfn = phys.AllocPage(highest, AllocFlags.WmarkMin);
        if (pfn >= 0) return pfn;
        var current = _k.Current;
        if (current is null || current.OomKilled) return phys.AllocPage(highest, AllocFlags.WmarkMin | AllocFlags.Oom);

        int noProgress = 0;
        for (int guard = 0; guard < 10_000; guard++)
        {
            long freeBefore = _k.Trace is null ? 0 : FreeIn(highest);
            long reclaimed = _vmscan.TryToFreePages(highest, out long cost);
            _k.Trace?.DirectReclaimPass(current.Pid, _k.Now, _k.Now + cost, reclaimed, freeBefore, MinWatermarks(highest));
            _k.Now += cost;
            current.StallNs += cost;
            _k.Memcg?.Tracker.Stall(current, _k.Now - cost, _k.Now, running: true); // PSI: __perform_reclaim
            current.DirectReclaims++;
            pfn = phys.AllocPage(highest, AllocFlags.WmarkMin);
            if (pfn >= 0) return pfn;
            if (reclaimed == 0 && _swapIo is { Pending: true } io)
            {
                // reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): nothing could be freed because it is still being
                // written; wait for the next write to finish rather than count a failure toward the OOM killer.
                long next = io.NextCompletion;
                if (next > _k.Now)
                {
                    current.StallNs += next - _k.Now;
                    _k.Now = next;
                }
                io.CompleteUntil(_k.Now);
                continue;
            }
            if (reclaimed > 0) noProgress = 0; else noProgress++;
            if (noProgress <= MaxReclaimRetries && ShouldReclaimRetry(highest, reclaimed > 0, current)) continue;

            // __alloc_pages_may_oom: one last try at the high watermark, then the OOM killer.
            pfn = phys.AllocPage(highest, AllocFlags.WmarkHigh);
            if (pfn >= 0) return pfn;
            if (!_oom.OutOfMemory(current) || current.IsDone || current.OomKilled) return -1;
            noProgress = 0;
            pfn = phys.AllocPage(highest, AllocFlags.WmarkMin);
            if (pfn >= 0) return pfn;
        }
        return -1;
    }

    // For the direct-reclaim tracepoint: the zones' free pages and min watermarks (plus lowmem_reserve), summed.
    private long MinWatermarks(ZoneType highest)
    {
        long sum = 0;
        foreach (var z in _k.Phys.Zones)
            if ((int)z.Type <= (int)highest) sum += z.WatermarkMin + z.LowmemReserve[(int)highest];
        return sum;
    }

    private long FreeIn(ZoneType highest)
    {
        long sum = 0;
        foreach (var z in _k.Phys.Zones)
            if ((int)z.Type <= (int)highest) sum += z.FreePages;
        return sum;
    }

    /// <summary>
    /// should_reclaim_retry: worth another round if some zone would pass its min watermark with everything
    /// reclaimable in it freed (its file LRU, and its anon LRU while swap has room). When the round made no progress
    /// and more than half of what is reclaimable waits to be written (dirty or under writeback), the reclaimer first
    /// sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) "to slow down the reclaim and prevent from pre mature
    /// OOM" (mm/page_alloc.c). Simplified: the write-pending pages are the node's, not the zone's.
    /// </summary>
    private bool ShouldReclaimRetry(ZoneType highest, bool progress, Sched.SimTask current)
    {
        bool swap = _k.Swap.FreeSlots > 0;
        foreach (var z in _k.Phys.Zones)
        {
            if ((int)z.Type > (int)highest || z.ManagedPages == 0) continue;
            long reclaimable = _k.Lru.ZoneSize(LruList.InactiveFile, z.Type) + _k.Lru.ZoneSize(LruList.ActiveFile, z.Type);
            if (swap) reclaimable += _k.Lru.ZoneSize(LruList.InactiveAnon, z.Type) + _k.Lru.ZoneSize(LruList.ActiveAnon, z.Type);
            long available = z.FreePages + reclaimable;
            if (available <= z.WatermarkMin + z.LowmemReserve[(int)highest]) continue;
            if (!progress && 2 * (_k.NrFileDirty + _k.NrWriteback) > reclaimable) ThrottleWriteback(current);
            return true;
        }
        return false;
    }

    /// <summary>reclaim_throttle's HZ/10 timeout (mm/vmscan.c, VMSCAN_THROTTLE_WRITEBACK).</summary>
    public const long ThrottleTimeoutNs = 100_000_000;

    /// <summary>
    /// reclaim_throttle(pgdat, VMSCAN_THROTTLE_WRITEBACK): the reclaimer sleeps until writes complete, at most HZ/10.
    /// Meanwhile the flusher reclaim woke writes (it would run while the reclaimer sleeps).
    /// </summary>
    private void ThrottleWriteback(Sched.SimTask current)
    {
        long now = _k.Now;
        var wb = _k.Writeback;
        wb?.WorkDuringThrottle(now);
        long until = now + ThrottleTimeoutNs;
        if (wb is not null && wb.NextCompletionAt > now) until = Math.Min(until, wb.NextCompletionAt);
        if (_swapIo is { Pending: true } io && io.NextCompletion > now) until = Math.Min(until, io.NextCompletion);
        current.StallNs += until - now;
        _k.Memcg?.Tracker.Stall(current, now, until, running: false);
        _k.Now = until;
        wb?.CompleteUntil(until);
        _swapIo?.CompleteUntil(until);
    }
}
