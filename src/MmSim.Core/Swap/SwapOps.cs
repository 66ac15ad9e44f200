using MmSim.Machine;
using MmSim.Mm;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Reclaim;

namespace MmSim.Swap;

/// <summary>
/// The swap cache and swap I/O (mm/swap_state.c, mm/swapfile.c, mm/page_io.c): adding an anonymous page to the
/// swap cache before it is unmapped, writing it out, taking it out of the cache when it is reclaimed or no longer
/// needs its slot, and reading pages back — the whole aligned cluster of 2^page-cluster slots around the one
/// wanted (swap_cluster_readahead).
/// </summary>
public sealed class SwapOps
{
    private readonly Kernel _k;
    private readonly Workingset _workingset;

    public SwapOps(Kernel kernel, Workingset workingset)
    {
        _k = kernel;
        _workingset = workingset;
    }

    private SwapDevice Dev => _k.Swap;

    /// <summary>add_to_swap: a slot for the page, the page into the swap cache, marked dirty. False if no slot.</summary>
    public bool AddToSwap(int pfn)
    {
        int slot = Dev.Allocate();
        if (slot < 0) return false;
        if (_k.Memcg is { } mc && !mc.ChargeSwap(pfn, slot)) { Dev.DropCache(slot); return false; } // memory.swap.max
        ref var f = ref _k.Frames[pfn];
        SwapSlotBits.SetSlot(ref f, slot);
        f.Flags |= (uint)(FrameFlags.SwapCache | FrameFlags.Dirty);
        Dev.SetCache(slot, pfn);
        _k.NrSwapCache++;
        _k.NrFilePages++;
        return true;
    }

    /// <summary>
    /// pageout → swap_writepage: the page's contents go to its slot (what the device will hold), the page is
    /// clean and under writeback (PG_reclaim set by pageout) until <see cref="SwapIo"/> completes the request;
    /// pswpout counts the page when it is submitted.
    /// </summary>
    public void Writepage(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        Dev.Write(SwapSlotBits.Slot(f), f.Content);
        f.Flags = (f.Flags & ~(uint)FrameFlags.Dirty) | (uint)(FrameFlags.Writeback | FrameFlags.Reclaim);
        _k.NrWriteback++;
        _k.Events.Inc(VmEvent.pswpout);
        _k.Events.Add(VmEvent.pgpgout, _k.PageSize / 1024);
    }

    /// <summary>delete_from_swap_cache: the page leaves the swap cache (the slot is freed if nothing refers to it).
    /// <paramref name="shadow"/> is left in the slot when the page was reclaimed.</summary>
    public void DeleteFromSwapCache(int pfn, long shadow = 0)
    {
        ref var f = ref _k.Frames[pfn];
        int slot = SwapSlotBits.Slot(f);
        if (slot < 0) return;
        if (shadow != 0) Dev.SetShadow(slot, shadow);
        Dev.DropCache(slot);
        SwapSlotBits.SetSlot(ref f, -1);
        f.Flags &= ~(uint)FrameFlags.SwapCache;
        _k.NrSwapCache--;
        _k.NrFilePages--;
    }

    /// <summary>folio_free_swap: drops the swap copy of a page that no PTE refers to through its slot any more.</summary>
    public bool FreeSwap(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        int slot = SwapSlotBits.Slot(f);
        if (slot < 0 || Dev.Count(slot) > 0 || (f.Flags & (uint)FrameFlags.Writeback) != 0) return false;
        DeleteFromSwapCache(pfn);
        return true;
    }

    /// <summary>
    /// free_swap_and_cache, when a swap entry is zapped (munmap, exit): one reference less on the slot; if it was
    /// the last and the page sits unmapped in the swap cache, the page is freed too.
    /// </summary>
    public void FreeEntry(int slot)
    {
        Dev.Put(slot);
        if (Dev.Count(slot) > 0) return;
        int pfn = Dev.CachePfn(slot);
        if (pfn < 0 || _k.Frames[pfn].MapCount > 0) return;
        if ((_k.Frames[pfn].Flags & (uint)FrameFlags.Writeback) != 0) return; // reclaim frees it after the write
        if (_k.PinnedCount > 0 && _k.IsPinned(pfn)) return; // locked by a swap-in in progress: reclaim frees it later
        DeleteFromSwapCache(pfn);
        _k.Lru.Remove(pfn);
        _k.FreePage(pfn);
    }

    /// <summary>
    /// swapin_nr_pages / __swapin_nr_pages (mm/swap_state.c): the read-ahead window adapts to how many read-ahead
    /// pages were used — hits + 2 rounded up to a power of two (at least 4), at most 2^page-cluster, never less
    /// than half the previous window; with no hits, one page unless the offset is next to the previous one.
    /// </summary>
    private int SwapinNrPages(int offset)
    {
        int maxPages = 1 << Math.Clamp(_k.Vm.PageCluster, 0, 30);
        if (maxPages <= 1) return 1;
        int hits = Dev.ReadaheadHits;
        Dev.ReadaheadHits = 0;
        int pages = hits + 2;
        if (pages == 2)
        {
            if (offset != Dev.PrevOffset + 1 && offset != Dev.PrevOffset - 1) pages = 1;
        }
        else
        {
            int roundup = 4;
            while (roundup < pages) roundup <<= 1;
            pages = roundup;
        }
        if (pages > maxPages) pages = maxPages;
        int lastRa = Dev.LastReadaheadPages / 2;
        if (pages < lastRa) pages = lastRa;
        if (hits == 0) Dev.PrevOffset = offset;
        Dev.LastReadaheadPages = pages;
        return pages;
    }

    /// <summary>
    /// swap_cluster_readahead: reads the slot and its in-use neighbours in the aligned window of swapin_nr_pages into
    /// the swap cache, one request. Returns the pages read (pswpin), or -1 when the wanted page could not be had.
    /// </summary>
    public int ReadAround(int slot)
    {
        int cluster = SwapinNrPages(slot);
        long start = slot & ~(long)(cluster - 1);
        long end = Math.Min(start + cluster, Dev.TotalSlots + 1);
        int read = 0, held = _k.PinnedCount;
        for (long s = Math.Max(1, start); s < end; s++)
        {
            int si = (int)s;
            if (si != slot && (!Dev.InUse(si) || Dev.Count(si) == 0)) continue;
            if (Dev.CachePfn(si) >= 0) continue;
            int pfn = _k.AllocUserPage();
            if (pfn < 0)
            {
                if (si == slot) { _k.UnpinTo(held); return -1; }
                continue;
            }
            // Locked until its read completes: reclaim run by the next allocation of this window cannot take it.
            _k.Pin(pfn);
            ref var f = ref _k.Frames[pfn];
            f.Flags |= (uint)(FrameFlags.Anon | FrameFlags.SwapBacked | FrameFlags.SwapCache | FrameFlags.Uptodate);
            if (si != slot) f.Flags |= (uint)FrameFlags.Readahead;
            f.Owner = -1;
            f.Index = 0;
            SwapSlotBits.SetSlot(ref f, si);
            f.Content = Dev.Read(si);
            long shadow = Dev.Shadow(si); // add_to_swap_cache replaces it with the page and returns it
            Dev.SetCache(si, pfn);
            _k.NrSwapCache++;
            _k.NrFilePages++;
            if (shadow != 0) _workingset.Refault(pfn, shadow);
            _k.Lru.Add(pfn);
            read++;
            _k.Events.Inc(VmEvent.pswpin);
            _k.Events.Add(VmEvent.pgpgin, _k.PageSize / 1024);
            if (si != slot) _k.Events.Inc(VmEvent.swap_ra);
        }
        _k.UnpinTo(held); // the caller maps the faulting page before it allocates anything else
        return read;
    }
}
