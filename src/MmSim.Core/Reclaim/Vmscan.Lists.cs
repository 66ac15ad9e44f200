using MmSim.Machine;
using MmSim.Mm;
using MmSim.Physical;
using MmSim.Swap;

namespace MmSim.Reclaim;

/// <summary>The list level of reclaim: shrink_inactive_list with shrink_folio_list, and shrink_active_list.</summary>
public sealed partial class Vmscan
{
    private readonly List<int> _isolated = new();
    private readonly List<int> _isolatedSlots = new(); // where IsolateLruFolios found them in the list
    private readonly List<int> _pageoutBatch = new();

    /// <summary>The swap device's queue (set by the machine).</summary>
    public Swap.SwapIo? SwapIo { get; set; }

    private enum Verdict { Activate, Keep, Reclaim, ReclaimClean }

    /// <summary>
    /// shrink_inactive_list: isolates up to <paramref name="nrToScan"/> pages from the tail (pgscan), reclaims
    /// what shrink_folio_list can (pgsteal), puts the rest back — activated ones on the active list — and notes
    /// the cost of the pass.
    /// </summary>
    private long ShrinkInactiveList(long nrToScan, LruList lru, ScanControl sc)
    {
        bool file = LruLists.IsFileList(lru);
        // Writes finish while reclaim goes on: as its own time passes, completed ones are processed first.
        SwapIo?.CompleteUntil(_k.Now + sc.CostNs);
        long taken = IsolateLruFolios(nrToScan, lru, sc);
        if (taken == 0) return 0;
        PrefetchPtes();
        _k.Events.Add(sc.IsKswapd ? VmEvent.pgscan_kswapd : VmEvent.pgscan_direct, taken);
        _k.Events.Add(file ? VmEvent.pgscan_file : VmEvent.pgscan_anon, taken);
        sc.NrScanned += taken;
        sc.CostNs += taken * _k.Latency.ReclaimScanNs;

        long reclaimed = 0, pageout = 0;
        _k.Memcg?.NoteScanned(_isolated); // memcg issue: memory.stat pgscan/pgsteal
        foreach (int pfn in _isolated)
        {
            int cg = _k.Memcg?.IdOf(pfn) ?? 0;
            if (ShrinkFolio(pfn, sc, ref pageout)) { reclaimed++; if (cg != 0) _k.Memcg!.NoteSteal(cg); }
        }
        if (_pageoutBatch.Count > 0)
        {
            sc.CostNs += pageout * _k.Latency.SwapSubmitNs;
            long at = _k.Now + sc.CostNs;
            long resumed = SwapIo?.Submit(_pageoutBatch, at) ?? at;
            sc.CostNs += resumed - at; // blocked on a full device queue
            _pageoutBatch.Clear();
        }
        sc.CostNs += reclaimed * _k.Latency.ReclaimFreeNs;
        sc.NrPageout += pageout;
        _k.Events.Add(sc.IsKswapd ? VmEvent.pgsteal_kswapd : VmEvent.pgsteal_direct, reclaimed);
        _k.Events.Add(file ? VmEvent.pgsteal_file : VmEvent.pgsteal_anon, reclaimed);
        sc.NrReclaimed += reclaimed;
        CostModel.NoteCost(_k, file, pageout, taken - reclaimed);
        return reclaimed;
    }

    /// <summary>isolate_lru_folios: takes up to <paramref name="nrToScan"/> pages of eligible zones off the tail
    /// of the list into <see cref="_isolated"/>.</summary>
    private long IsolateLruFolios(long nrToScan, LruList lru, ScanControl sc)
    {
        _isolated.Clear();
        var lists = _k.Lru;
        if (_k.Memcg is { } mc) return IsolateMemcg(mc, nrToScan, lru, sc); // memcg issue
        // Every zone is eligible for a movable allocation's reclaim: no need to look up each page's zone.
        bool anyZone = sc.ReclaimIdx >= ZoneType.Normal;
        // First the pages, read from the list's array in order (each page's frame prefetched on the way), then off
        // the list: taking pages off only marks their slots, so this isolates the same pages as taking each one
        // off as it is found.
        var slots = lists.FromTail(lru);
        int tail = lists.TailSlot(lru);
        _isolatedSlots.Clear();
        for (int i = 0; i < slots.Length && _isolated.Count < nrToScan; i++)
        {
            int p = slots[i];
            if (p < 0) continue;
            if (anyZone || (int)_k.Phys.ZoneOf(p).Type <= (int)sc.ReclaimIdx)
            {
                _k.Phys.PrefetchFrame(p);
                _isolated.Add(p);
                _isolatedSlots.Add(tail + i);
            }
        }
        foreach (int slot in _isolatedSlots) lists.RemoveSlot(lru, slot);
        return _isolated.Count;
    }

    /// <summary>The batch's PTEs are read by folio_referenced one page after another: start all their cache
    /// misses now (the kernel's batch of SWAP_CLUSTER_MAX isolated folios gives the same chance).</summary>
    private void PrefetchPtes()
    {
        foreach (int pfn in _isolated) _rmap.PrefetchPte(pfn);
    }

    /// <summary>Puts a page back on the list its flags say (putback / move_folios_to_lru).</summary>
    private void Putback(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Active) != 0)
        {
            _k.Events.Inc(VmEvent.pgactivate);
            _k.NonresidentAge++; // workingset_age_nonresident for folios put back active
        }
        _k.Lru.Add(pfn);
    }

    /// <summary>
    /// shrink_folio_list for one isolated page: check references, put an anonymous page in the swap cache and
    /// write it out, unmap it, and free it with a shadow entry; a dirty file page is left for the flusher
    /// (PG_reclaim, activated, as reclaim no longer writes file pages itself). True if the page was freed.
    /// </summary>
    private bool ShrinkFolio(int pfn, ScanControl sc, ref long pageout)
    {
        ref var f = ref _k.Frames[pfn];
        bool file = (f.Flags & (uint)FrameFlags.SwapBacked) == 0;
        if (IsLocked(pfn, file))
        {
            Putback(pfn); // folio_trylock failed: keep
            return false;
        }
        if ((f.Flags & (uint)FrameFlags.Unevictable) != 0)
        {
            _k.Lru.Add(pfn); // lands on the unevictable list
            return false;
        }
        if ((f.Flags & (uint)FrameFlags.Writeback) != 0)
        {
            f.Flags |= (uint)(FrameFlags.Reclaim | FrameFlags.Active);
            Putback(pfn);
            return false;
        }
        var verdict = CheckReferences(pfn, file);
        if (verdict == Verdict.Activate) return Activate(pfn);
        if (verdict == Verdict.Keep) { Putback(pfn); return false; }

        if (!file)
        {
            if ((f.Flags & (uint)FrameFlags.SwapCache) == 0)
            {
                if (!sc.MaySwap || !_swap.AddToSwap(pfn)) return Activate(pfn);
            }
            if (f.MapCount > 0 && sc.MayUnmap)
            {
                _rmap.TryToUnmap(pfn);
                if (f.MapCount > 0) return Activate(pfn);
            }
            if ((f.Flags & (uint)FrameFlags.Dirty) != 0)
            {
                if (verdict == Verdict.ReclaimClean || !sc.MayWritepage) { Putback(pfn); return false; }
                _swap.Writepage(pfn);
                pageout++;
                _pageoutBatch.Add(pfn);
                // The write is asynchronous: the page is kept until it completes (pageout → keep).
                Putback(pfn);
                return false;
            }
            // __remove_mapping: a shadow in the swap slot, the page out of the swap cache and freed.
            long shadow = _workingset.Eviction(pfn);
            _swap.DeleteFromSwapCache(pfn, shadow);
            FreeFolio(pfn);
            return true;
        }

        if (f.MapCount > 0)
        {
            if (!sc.MayUnmap) { Putback(pfn); return false; }
            _rmap.TryToUnmap(pfn);
            if (f.MapCount > 0) return Activate(pfn);
        }
        if ((f.Flags & (uint)FrameFlags.Dirty) != 0)
        {
            // NR_VMSCAN_IMMEDIATE: reclaim leaves dirty file pages to the flusher and rotates them later.
            f.Flags |= (uint)FrameFlags.Reclaim;
            _k.Events.Inc(VmEvent.nr_vmscan_immediate_reclaim);
            _k.Writeback?.WakeForReclaim(_k.Now);
            return Activate(pfn);
        }
        var fileObj = _k.Files[f.Owner];
        fileObj.Shadow ??= new long[fileObj.Pages];
        fileObj.Shadow[f.Index] = _workingset.Eviction(pfn);
        fileObj.CachePfn[f.Index] = -1;
        fileObj.CachedPages--;
        _k.NrFilePages--;
        FreeFolio(pfn);
        return true;
    }

    private void FreeFolio(int pfn) => _k.FreePage(pfn);

    /// <summary>PG_locked as shrink_folio_list's folio_trylock sees it: a page held by a fault in progress
    /// (<see cref="Kernel.Pin"/>), or a file page whose read has not completed yet.</summary>
    private bool IsLocked(int pfn, bool file)
    {
        if (_k.PinnedCount > 0 && _k.IsPinned(pfn)) return true;
        if (!file) return false;
        ref var f = ref _k.Frames[pfn];
        return (f.Flags & (uint)FrameFlags.File) != 0 && _k.Files[f.Owner].ReadyAt(f.Index, _k.Now) > _k.Now;
    }

    /// <summary>The activate_locked exit: PG_active, back on a list; a swap-cache page drops its slot when swap
    /// is more than half full.</summary>
    private bool Activate(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.SwapCache) != 0 && (_k.Swap.IsFull || (f.Flags & (uint)FrameFlags.Mlocked) != 0))
            _swap.FreeSwap(pfn);
        if ((f.Flags & (uint)FrameFlags.Mlocked) == 0) f.Flags |= (uint)FrameFlags.Active;
        Putback(pfn);
        return false;
    }

    /// <summary>
    /// folio_check_references: a page mapped where the accessed bit was set is kept for another trip (activated
    /// if it was seen before, or is mapped more than once, or is executable file data); an unreferenced one is
    /// reclaimed — a file page only used through read() and referenced once is reclaimed only if clean.
    /// </summary>
    private Verdict CheckReferences(int pfn, bool file)
    {
        ref var f = ref _k.Frames[pfn];
        int young = _rmap.Referenced(pfn, out var vmFlags);
        bool referenced = (f.Flags & (uint)FrameFlags.Referenced) != 0;
        f.Flags &= ~(uint)FrameFlags.Referenced;
        if ((vmFlags & VmFlags.Locked) != 0) return Verdict.Activate;
        if (young > 0)
        {
            f.Flags |= (uint)FrameFlags.Referenced;
            if (referenced || young > 1) return Verdict.Activate;
            if (file && (vmFlags & VmFlags.Exec) != 0) return Verdict.Activate;
            return Verdict.Keep;
        }
        if (referenced && file) return Verdict.ReclaimClean;
        return Verdict.Reclaim;
    }

    /// <summary>
    /// shrink_active_list: isolates up to <paramref name="nrToScan"/> pages from the active list's tail
    /// (pgrefill); executable file pages just referenced stay active, every other page moves to the inactive list
    /// with PG_workingset set (pgdeactivate). Their accessed bits are cleared on the way.
    /// </summary>
    private void ShrinkActiveList(long nrToScan, LruList lru, ScanControl sc)
    {
        bool file = lru == LruList.ActiveFile;
        long taken = IsolateLruFolios(nrToScan, lru, sc);
        if (taken == 0) return;
        PrefetchPtes();
        _k.Events.Add(VmEvent.pgrefill, taken);
        sc.CostNs += taken * _k.Latency.ReclaimScanNs;
        long rotated = 0, deactivated = 0;
        var inactive = file ? LruList.InactiveFile : LruList.InactiveAnon;
        foreach (int pfn in _isolated)
        {
            ref var f = ref _k.Frames[pfn];
            if ((f.Flags & (uint)FrameFlags.Unevictable) != 0) { _k.Lru.Add(pfn); continue; }
            int young = _rmap.Referenced(pfn, out var vmFlags);
            if (young > 0 && file && (vmFlags & VmFlags.Exec) != 0)
            {
                rotated++;
                _k.Lru.Move(pfn, lru);
                continue;
            }
            f.Flags = (f.Flags & ~(uint)FrameFlags.Active) | (uint)FrameFlags.Workingset;
            _k.Lru.Move(pfn, inactive);
            deactivated++;
        }
        _k.Events.Add(VmEvent.pgdeactivate, deactivated);
        if (rotated > 0) CostModel.NoteCost(_k, file, 0, rotated);
    }
}
