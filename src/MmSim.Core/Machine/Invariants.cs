using MmSim.Paging;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Sched;

namespace MmSim.Machine;

/// <summary>
/// The simulator's self-checks, run by the tests after every scenario: frames are conserved (free, reserved or
/// owned exactly once), each frame's mapcount equals the page-table entries that map it, per-process RSS
/// equals what its page table maps, the LRU lists hold exactly the evictable user pages, and the node counters
/// agree with the structures.
/// </summary>
internal static class Invariants
{
    public static void Check(SimMachine m)
    {
        var k = m.Kernel;
        k.Phys.CheckInvariants();
        k.Lru.CheckInvariants();
        var frames = k.Frames;
        long n = frames.Length;
        var owners = new byte[n]; // 0 none, 1 page table, 2 kernel stack, 3 page cache, 4 anon mapped, 5 swap cache only, 6 kernel memory
        var maps = new int[n];

        void Own(int pfn, byte what, string desc)
        {
            if ((frames[pfn].Flags & (uint)FrameFlags.Allocated) == 0)
                throw new InvalidOperationException($"pfn {pfn} ({desc}) is in use but not allocated");
            if (owners[pfn] != 0 && !(owners[pfn] == 4 && what == 4))
                throw new InvalidOperationException($"pfn {pfn} ({desc}) is owned twice (already kind {owners[pfn]})");
            owners[pfn] = what;
        }

        foreach (int pfn in k.KernelMemoryPfns) Own(pfn, 6, "the kernel's own memory (machine.kernel_memory)");
        long tables = 0;
        var swapRefs = new int[k.Swap.TotalSlots + 1];
        foreach (var t in m.Tasks)
        {
            foreach (int pfn in t.KernelStack) Own(pfn, 2, $"kernel stack of {t.Pid}");
            if (t.Mm.PgdTable < 0) continue;
            long anon = 0, file = 0, pgtBytes = 0, swapEnts = 0;
            CountTables(k, t.Mm.PgdTable, 0, ref tables, ref pgtBytes, owners, frames, (pte) =>
            {
                if (Pte.IsSwap(pte)) { swapEnts++; swapRefs[Pte.Pfn(pte)]++; return; }
                if ((pte & Pte.Present) == 0 || (pte & Pte.Special) != 0) return;
                int pfn = (int)Pte.Pfn(pte);
                maps[pfn]++;
                if ((frames[pfn].Flags & (uint)FrameFlags.File) != 0) file++;
                else { anon++; Own(pfn, 4, $"anon page of {t.Pid}"); }
            });
            if (anon != t.Mm.RssAnon) throw new InvalidOperationException($"pid {t.Pid}: RssAnon {t.Mm.RssAnon} but {anon} anon pages mapped");
            if (file != t.Mm.RssFile) throw new InvalidOperationException($"pid {t.Pid}: RssFile {t.Mm.RssFile} but {file} file pages mapped");
            if (swapEnts != t.Mm.SwapEnts) throw new InvalidOperationException($"pid {t.Pid}: MM_SWAPENTS {t.Mm.SwapEnts} but {swapEnts} swap entries");
            if (pgtBytes - k.PageSize != t.Mm.PgtablesBytes)
                throw new InvalidOperationException($"pid {t.Pid}: pgtables_bytes {t.Mm.PgtablesBytes} but the tree has {pgtBytes - k.PageSize} below the PGD");
        }
        if (tables != k.NrPageTable) throw new InvalidOperationException($"NR_PAGETABLE {k.NrPageTable} but {tables} tables reachable");
        if (tables != k.Tables.Count) throw new InvalidOperationException($"{k.Tables.Count} tables in the pool but {tables} reachable");

        // Swap: each slot's count is the swap entries that refer to it; cached slots point at swap-cache frames.
        long swapCache = 0, used = 0;
        for (int slot = 1; slot <= k.Swap.TotalSlots; slot++)
        {
            if (k.Swap.Count(slot) != swapRefs[slot])
                throw new InvalidOperationException($"swap slot {slot}: count {k.Swap.Count(slot)} but {swapRefs[slot]} swap entries");
            if (k.Swap.InUse(slot)) used++;
            int pfn = k.Swap.CachePfn(slot);
            if (pfn < 0) continue;
            swapCache++;
            if ((frames[pfn].Flags & (uint)FrameFlags.SwapCache) == 0 || Swap.SwapSlotBits.Slot(frames[pfn]) != slot)
                throw new InvalidOperationException($"swap slot {slot}: cached in pfn {pfn}, which does not say so");
            if (owners[pfn] == 0) owners[pfn] = 5;
            else if (owners[pfn] != 4) throw new InvalidOperationException($"swap-cache pfn {pfn} is owned by kind {owners[pfn]}");
        }
        if (swapCache != k.NrSwapCache) throw new InvalidOperationException($"NR_SWAPCACHE {k.NrSwapCache} but {swapCache} pages in the swap cache");
        if (used != k.Swap.UsedSlots) throw new InvalidOperationException($"{used} swap slots in use, the device says {k.Swap.UsedSlots}");

        long cached = 0, fileMapped = 0, dirty = 0, writeback = 0;
        foreach (var f in k.Files)
        {
            long c = 0;
            for (long i = 0; i < f.Pages; i++)
            {
                int pfn = f.CachePfn[i];
                if (pfn < 0) continue;
                Own(pfn, 3, $"page {i} of {f.Path}");
                if (frames[pfn].Owner != f.Id || frames[pfn].Index != i)
                    throw new InvalidOperationException($"pfn {pfn} caches {f.Path}:{i} but says owner {frames[pfn].Owner} index {frames[pfn].Index}");
                c++;
                if (maps[pfn] > 0) fileMapped++;
                if ((frames[pfn].Flags & (uint)FrameFlags.Dirty) != 0) dirty++;
                if ((frames[pfn].Flags & (uint)FrameFlags.Writeback) != 0) writeback++;
            }
            if (c != f.CachedPages) throw new InvalidOperationException($"{f.Path}: {c} pages cached, counter says {f.CachedPages}");
            cached += c;
        }
        if (cached + swapCache != k.NrFilePages) throw new InvalidOperationException($"NR_FILE_PAGES {k.NrFilePages} but {cached} in the page cache and {swapCache} in the swap cache");
        if (fileMapped != k.NrFileMapped) throw new InvalidOperationException($"NR_FILE_MAPPED {k.NrFileMapped} but {fileMapped} mapped");
        if (dirty != k.NrFileDirty) throw new InvalidOperationException($"NR_FILE_DIRTY {k.NrFileDirty} but {dirty} dirty");
        for (int slot = 1; slot <= k.Swap.TotalSlots; slot++)
        {
            int pfn = k.Swap.CachePfn(slot);
            if (pfn >= 0 && (frames[pfn].Flags & (uint)FrameFlags.Writeback) != 0) writeback++;
        }
        if (writeback != k.NrWriteback) throw new InvalidOperationException($"NR_WRITEBACK {k.NrWriteback} but {writeback} under writeback");

        long anonMapped = 0, allocated = 0, onLru = 0;
        for (int pfn = 0; pfn < n; pfn++)
        {
            ref var f = ref frames[pfn];
            if ((f.Flags & (uint)FrameFlags.Allocated) == 0) continue;
            allocated++;
            if (maps[pfn] != f.MapCount) throw new InvalidOperationException($"pfn {pfn}: mapcount {f.MapCount} but {maps[pfn]} PTEs map it");
            if (owners[pfn] == 0) throw new InvalidOperationException($"pfn {pfn} is allocated but nobody owns it (leaked)");
            if (owners[pfn] == 4) anonMapped++;
            bool user = owners[pfn] is 3 or 4 or 5;
            if (user != k.Lru.OnLru(pfn)) throw new InvalidOperationException($"pfn {pfn}: user page {(user ? "not on" : "on")} an LRU list");
            if (user) onLru++;
        }
        if (anonMapped != k.NrAnonMapped) throw new InvalidOperationException($"NR_ANON_MAPPED {k.NrAnonMapped} but {anonMapped} anon pages");
        long lruTotal = 0;
        for (int l = 0; l < 5; l++) lruTotal += k.Lru.Size((LruList)l);
        if (lruTotal != onLru) throw new InvalidOperationException($"LRU lists hold {lruTotal}, {onLru} user pages exist");
        long managedInUse = k.Phys.TotalRamPages - k.Phys.NrFreePages;
        if (managedInUse != allocated) throw new InvalidOperationException($"{allocated} frames allocated but managed − free = {managedInUse}");
        k.Memcg?.CheckInvariants(); // memcg issue: charges add up, every charged page is in use
    }

    private static void CountTables(Kernel k, int table, int level, ref long tables, ref long bytes, byte[] owners,
        Frame[] frames, Action<ulong> leaf)
    {
        tables++;
        if (level == 0 || k.Layout.CountsInPgtablesBytes(level)) bytes += k.PageSize;
        int pfn = k.Tables.FrameOf(table);
        if (owners[pfn] != 0) throw new InvalidOperationException($"page-table frame {pfn} is owned twice");
        if ((frames[pfn].Flags & (uint)FrameFlags.PageTable) == 0) throw new InvalidOperationException($"pfn {pfn} holds a page table but is not flagged as one");
        owners[pfn] = 1;
        var t = k.Tables[table];
        for (int i = 0; i < t.Length; i++)
        {
            ulong e = t[i];
            if (e == 0) continue;
            if (level == k.Layout.Levels - 1) leaf(e);
            else CountTables(k, (int)Pte.Pfn(e), level + 1, ref tables, ref bytes, owners, frames, leaf);
        }
    }
}
