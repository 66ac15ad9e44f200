using System.Runtime.CompilerServices;
using MmSim.Machine;
using MmSim.PageCache;
using MmSim.Paging;
using MmSim.Physical;

namespace MmSim.Mm;

/// <summary>
/// The page-fault handler: x86's do_user_addr_fault (arch/x86/mm/fault.c) for the checks, then
/// handle_mm_fault → handle_pte_fault (mm/memory.c): anonymous pages are allocated lazily on first touch (a
/// read maps the shared zero page, a write a fresh zeroed page), a write to the zero page or to a private file
/// page copies on write, and file pages come from the page cache, with fault-around and read-around as Linux
/// does them. Counting follows mm_account_fault (6.4+): one pgfault per completed fault.
/// </summary>
public sealed class FaultHandler
{
    private readonly Kernel _k;
    private readonly PageTableOps _pt;
    private readonly Filemap _filemap;
    private readonly Readahead _readahead;
    private Swap.SwapOps? _swap;

    /// <summary>The swap device's queue, for reads (set by the machine).</summary>
    public Swap.SwapIo? SwapIo { get; set; }

    /// <summary>The swap side (set by the machine once it exists: swap and the fault handler refer to each other).</summary>
    public Swap.SwapOps SwapOps { set => _swap = value; }
    private readonly Paging.PageTablePool _pool;
    /// <summary>The leaf table of the fault being handled (for the frames' PTE hints).</summary>
    private int _table;
    private readonly int _shift;

    public FaultHandler(Kernel kernel, PageTableOps pageTables, Filemap filemap, Readahead readahead)
    {
        _readahead = readahead;
        _k = kernel;
        _pt = pageTables;
        _filemap = filemap;
        _pool = kernel.Tables;
        _shift = kernel.PageShift;
    }

    /// <summary>fault_around_bytes in pages (mm/memory.c; default 64 KiB = 16 pages).</summary>
    private long FaultAroundPages => Math.Max(1, _k.Vm.FaultAroundBytes / _k.PageSize);

    public FaultResult Handle(MmStruct mm, ulong address, AccessKind kind)
    {
        switch (_k.Layout.ClassifyAddress(address))
        {
            case AddressKind.Kernel: return new(FaultOutcome.SegvKernel, FaultKind.None, 0, 0);
            case AddressKind.NonCanonical: return new(FaultOutcome.SegvNonCanonical, FaultKind.None, 0, 0);
        }
        var vma = mm.FindVma(address);
        if (vma is null) return new(FaultOutcome.SegvMapErr, FaultKind.None, 0, 0);
        // access_error(): the VMA must allow the access.
        var need = kind switch { AccessKind.Write => VmFlags.Write, AccessKind.Exec => VmFlags.Exec, _ => VmFlags.Read };
        if ((vma.Flags & need) == 0) return new(FaultOutcome.SegvAccErr, FaultKind.None, 0, 0);

        int table = _pt.WalkAlloc(mm, address, out int slot);
        if (table < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        _table = table;
        var t = _pool[table];
        ulong pte = t[slot];
        FaultResult r;
        if (pte == 0)
            r = vma.IsAnonymous ? DoAnonymousPage(mm, vma, t, slot, kind, address)
                : kind == AccessKind.Write ? ((vma.Flags & VmFlags.Shared) != 0 ? DoSharedFault(mm, vma, t, slot, address)
                                                                                : DoCowFault(mm, vma, t, slot, address))
                : DoReadFault(mm, vma, table, slot, address);
        else if (Pte.IsSwap(pte))
            r = DoSwapPage(mm, vma, t, slot, address, kind);
        else if (kind == AccessKind.Write && (pte & Pte.Write) == 0)
            r = DoWpPage(mm, vma, t, slot, address);
        else
            r = new(FaultOutcome.Minor, FaultKind.Spurious, 0, 0);

        mm.Tlb.FlushPage((long)(address >> _shift));
        if (!r.IsError)
        {
            _k.Events.Inc(VmEvent.pgfault);
            mm.UpdateHiwater();
        }
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] private ulong LeafFlags(Vma vma, bool writable)
    {
        ulong f = Pte.Present | Pte.User | Pte.Accessed;
        if (writable) f |= Pte.Write | Pte.Dirty;
        if ((vma.Flags & VmFlags.Exec) == 0) f |= Pte.NoExec;
        return f;
    }

    /// <summary>do_anonymous_page: a read maps the zero page; a write gets a new zeroed page on the inactive anon
    /// list (lru_cache_add_inactive_or_unevictable).</summary>
    private FaultResult DoAnonymousPage(MmStruct mm, Vma vma, Span<ulong> t, int slot, AccessKind kind, ulong address)
    {
        if (kind != AccessKind.Write)
        {
            // The zero page has no struct page of its own to count: RSS does not grow.
            t[slot] = Pte.Make(0, (LeafFlags(vma, false) | Pte.Special));
            return new(FaultOutcome.Minor, FaultKind.AnonZeroPage, 0, 0);
        }
        int pfn = NewAnonPage(mm, vma, t, slot, 0, address);
        if (pfn < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        return new(FaultOutcome.Minor, FaultKind.AnonZeroFill, 0, 0);
    }

    /// <summary>Allocates, fills and maps a private anonymous page (folio_add_new_anon_rmap + lru add).</summary>
    private int NewAnonPage(MmStruct mm, Vma vma, Span<ulong> t, int slot, int content, ulong address)
    {
        int pfn = _k.AllocUserPage();
        if (pfn < 0) return -1;
        if (mm.Exited)
        {
            // The allocation's OOM kill chose the faulting process itself: its page tables are gone.
            _k.FreePage(pfn);
            return -1;
        }
        ref var f = ref _k.Frames[pfn];
        f.Flags |= (uint)(FrameFlags.Anon | FrameFlags.SwapBacked | FrameFlags.Uptodate);
        if ((vma.Flags & VmFlags.Locked) != 0)
        {
            // mlock_new_folio: a page faulted into a locked mapping goes straight to the unevictable list.
            f.Flags |= (uint)(FrameFlags.Unevictable | FrameFlags.Mlocked);
            _k.Events.Inc(VmEvent.unevictable_pgs_mlocked);
        }
        f.Owner = mm.AnonVma;
        f.Index = (long)(address >> _shift);
        f.MapCount = 1;
        f.Content = content;
        f.PteHint = _k.Tables.FlatIndex(_table, slot);
        t[slot] = Pte.Make(pfn, LeafFlags(vma, true));
        _k.Lru.Add(pfn);
        _k.NrAnonMapped++;
        mm.RssAnon++;
        return pfn;
    }

    /// <summary>
    /// do_swap_page: the PTE holds a swap entry. In the swap cache → a minor fault; otherwise the slot and its
    /// neighbours are read (swap_cluster_readahead) and the task waits: a major fault (pgmajfault). The page is
    /// mapped; a write to a page nobody else refers to maps it writable and frees its swap copy, as does a read
    /// when swap is more than half full (vm_swap_full) or the mapping is locked.
    /// </summary>
    private FaultResult DoSwapPage(MmStruct mm, Vma vma, Span<ulong> t, int slot, ulong address, AccessKind kind)
    {
        var dev = _k.Swap;
        int sslot = (int)Pte.Pfn(t[slot]);
        int pfn = dev.CachePfn(sslot);
        long wait = 0;
        int read = 0;
        if (pfn < 0)
        {
            _k.Events.Inc(VmEvent.pgmajfault);
            read = _swap!.ReadAround(sslot);
            pfn = dev.CachePfn(sslot);
            if (pfn < 0 || mm.Exited) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
            wait = SwapIo is { } io ? io.Read(_k.Now) - _k.Now : _k.Latency.SwapReadNs;
        }
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Readahead) != 0)
        {
            f.Flags &= ~(uint)FrameFlags.Readahead;
            _k.Events.Inc(VmEvent.swap_ra_hit);
            dev.ReadaheadHits++;
        }
        if (f.MapCount++ == 0)
        {
            _k.NrAnonMapped++;
            f.Owner = mm.AnonVma;
            f.Index = (long)(address >> _shift);
            Swap.SwapSlotBits.SetSlot(ref f, sslot);
            f.PteHint = _k.Tables.FlatIndex(_table, slot);
        }
        if ((vma.Flags & VmFlags.Locked) != 0) f.Flags |= (uint)(FrameFlags.Mlocked | FrameFlags.Unevictable);
        mm.RssAnon++;
        mm.SwapEnts--;
        dev.Put(sslot);
        bool exclusive = dev.Count(sslot) == 0 && f.MapCount == 1;
        bool writable = kind == AccessKind.Write && exclusive;
        t[slot] = Pte.Make(pfn, LeafFlags(vma, writable));
        if (writable) f.Flags |= (uint)FrameFlags.Dirty;
        if (exclusive && (writable || dev.IsFull || (vma.Flags & VmFlags.Locked) != 0)) _swap!.FreeSwap(pfn);
        var outcome = wait > 0 ? FaultOutcome.Major : FaultOutcome.Minor;
        if (kind == AccessKind.Write && !writable)
        {
            // The same fault goes on into do_wp_page: the page is shared, so the write gets a private copy.
            var wp = DoWpPage(mm, vma, t, slot, address);
            if (wp.IsError) return wp;
        }
        return new(outcome, FaultKind.SwapIn, wait, read);
    }

    /// <summary>do_wp_page: a write to a present, write-protected page.</summary>
    private FaultResult DoWpPage(MmStruct mm, Vma vma, Span<ulong> t, int slot, ulong address)
    {
        ulong pte = t[slot];
        if ((pte & Pte.Special) != 0)
        {
            // wp_page_copy from the zero page: a new zeroed page replaces it.
            int pfn = NewAnonPage(mm, vma, t, slot, 0, address);
            if (pfn < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
            return new(FaultOutcome.Minor, FaultKind.CowZeroPage, 0, 0);
        }
        int old = (int)Pte.Pfn(pte);
        ref var of = ref _k.Frames[old];
        if ((of.Flags & (uint)FrameFlags.Anon) != 0 && of.MapCount == 1 &&
            ((of.Flags & (uint)FrameFlags.SwapCache) == 0 || _swap!.FreeSwap(old)))
        {
            // wp_can_reuse_anon_folio: nobody else maps it, so it just becomes writable.
            t[slot] = pte | Pte.Write | Pte.Dirty | Pte.Accessed;
            of.Flags |= (uint)FrameFlags.Dirty;
            _k.Events.Inc(VmEvent.pgreuse);
            return new(FaultOutcome.Minor, FaultKind.Reuse, 0, 0);
        }
        if ((of.Flags & (uint)FrameFlags.File) != 0 && (vma.Flags & VmFlags.Shared) != 0)
        {
            // wp_page_shared: the page cache page itself becomes writable and dirty.
            t[slot] = pte | Pte.Write | Pte.Dirty | Pte.Accessed;
            MarkDirty(old);
            return new(FaultOutcome.Minor, FaultKind.FileShared, 0, 0);
        }
        // wp_page_copy: a private copy of a file page (or of a page shared after fork). As in the kernel the new
        // page is allocated before the old one is unmapped: the allocation may reclaim or OOM-kill, and the old
        // mapping must be intact if it fails. The old page is held meanwhile (wp_page_copy's reference).
        int content = of.Content;
        bool wasFile = (of.Flags & (uint)FrameFlags.File) != 0;
        _k.Pin(old);
        int np = NewAnonPage(mm, vma, t, slot, content, address);
        _k.Unpin(old);
        if (np < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        UnmapPage(mm, old, wasFile);
        return new(FaultOutcome.Minor, wasFile ? FaultKind.CowFile : FaultKind.CowAnon, 0, 0);
    }

    /// <summary>Drops one mapping of a frame (page_remove_rmap) and frees an anonymous page nobody maps.</summary>
    public void UnmapPage(MmStruct mm, int pfn, bool file)
    {
        ref var f = ref _k.Frames[pfn];
        f.MapCount--;
        if (file)
        {
            mm.RssFile--;
            if (f.MapCount == 0) _k.NrFileMapped--;
            return;
        }
        mm.RssAnon--;
        if (f.MapCount > 0) return;
        _k.NrAnonMapped--;
        if ((f.Flags & (uint)FrameFlags.SwapCache) != 0)
        {
            // Other swap entries still refer to the slot, or the page is being written: it stays in the swap
            // cache (reclaim frees it later).
            if (_k.Swap.Count(Swap.SwapSlotBits.Slot(f)) > 0 || (f.Flags & (uint)FrameFlags.Writeback) != 0) return;
            _swap!.DeleteFromSwapCache(pfn);
        }
        _k.Lru.Remove(pfn);
        _k.FreePage(pfn);
    }

    private void MarkDirty(int pfn) => _k.Writeback!.MarkDirty(pfn, _k.Now);

    private long PgOff(Vma vma, ulong address) => vma.PgOff + (long)((address - vma.Start) >> _shift);

    /// <summary>
    /// filemap_fault: the page cache page for a fault. Found → no disk read, but do_async_mmap_readahead may start
    /// the next window, and if the page is still under I/O the task waits for it (the retried fault then counts
    /// as major for the task — FAULT_FLAG_TRIED — though not in pgmajfault). Missing → pgmajfault, the read-around
    /// is read and the task waits for it. Returns the pfn (-1: nothing could be allocated) and how long to wait.
    /// </summary>
    private int FilemapFault(Vma vma, long pgoff, out long waitNs, out int pagesRead)
    {
        var file = vma.File!;
        var ra = vma.Ra ??= new RaState();
        long now = _k.Now;
        pagesRead = 0;
        int pfn = file.CachePfn[pgoff];
        if (pfn < 0)
        {
            _k.Events.Inc(VmEvent.pgmajfault);
            long read = _readahead.SyncMmap(ra, file, pgoff, now);
            if (file.CachePfn[pgoff] < 0) read = Math.Max(0, read) + _readahead.Submit(file, pgoff, 1, 0, now);
            pagesRead = (int)Math.Max(0, read);
            pfn = file.CachePfn[pgoff];
            if (pfn < 0) { waitNs = 0; return -1; }
        }
        else
        {
            // filemap_fault holds its reference to the page across the read-ahead it starts.
            _k.Pin(pfn);
            _readahead.AsyncMmap(ra, file, pgoff, pfn, now);
            _k.Unpin(pfn);
        }
        long ready = file.ReadyAt(pgoff, now);
        waitNs = ready > now ? ready - now : 0;
        return pfn;
    }

    private void MapFilePage(MmStruct mm, Vma vma, Span<ulong> t, int slot, int pfn, bool writable)
    {
        ref var f = ref _k.Frames[pfn];
        if (f.MapCount++ == 0) _k.NrFileMapped++;
        mm.RssFile++;
        t[slot] = Pte.Make(pfn, LeafFlags(vma, writable));
    }

    /// <summary>
    /// do_read_fault: first do_fault_around maps the cached, uptodate pages around the address (fault_around_bytes,
    /// within this PTE table and the VMA, filemap_map_pages); if that mapped the faulting page the fault is minor.
    /// Otherwise filemap_fault gets the page (reading it in, or waiting for it), and the retried fault maps the
    /// window around it.
    /// </summary>
    private FaultResult DoReadFault(MmStruct mm, Vma vma, int table, int slot, ulong address)
    {
        var file = vma.File!;
        long pgoff = PgOff(vma, address);
        if (pgoff >= file.Pages) return new(FaultOutcome.SegvMapErr, FaultKind.None, 0, 0); // SIGBUS beyond EOF
        var t = _pool[table];
        bool around = FaultAroundPages > 1;
        if (around)
        {
            FaultAround(mm, vma, t, slot, address, _k.Now);
            if (t[slot] != 0) return new(FaultOutcome.Minor, FaultKind.FileRead, 0, 0);
        }
        int pfn = FilemapFault(vma, pgoff, out long wait, out int read);
        if (pfn < 0 || mm.Exited) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        if (wait > 0 && around) FaultAround(mm, vma, t, slot, address, _k.Now + wait);
        if (t[slot] == 0) MapFilePage(mm, vma, t, slot, pfn, false);
        return wait > 0 ? new(FaultOutcome.Major, FaultKind.FileRead, wait, read)
                        : new(FaultOutcome.Minor, FaultKind.FileRead, 0, 0);
    }

    /// <summary>do_fault_around + filemap_map_pages (mm/memory.c, mm/filemap.c, 6.1): pages under I/O at
    /// <paramref name="asOf"/> and the read-ahead marker page are skipped.</summary>
    private void FaultAround(MmStruct mm, Vma vma, Span<ulong> t, int slot, ulong address, long asOf)
    {
        var file = vma.File!;
        var ra = vma.Ra ??= new RaState();
        long nrPages = FaultAroundPages;
        long ptrsPerPte = t.Length;
        ulong mask = ~((ulong)nrPages * (ulong)_k.PageSize - 1);
        ulong start = Math.Max(address & mask, vma.Start);
        long off = (long)((address - start) >> _shift) & (ptrsPerPte - 1);
        long startPgoff = PgOff(vma, address) - off;
        long endPgoff = startPgoff - ((long)(start >> _shift) & (ptrsPerPte - 1)) + ptrsPerPte - 1;
        endPgoff = Math.Min(endPgoff, Math.Min(vma.PageCount(_shift) + vma.PgOff - 1, startPgoff + nrPages - 1));
        endPgoff = Math.Min(endPgoff, file.Pages - 1);
        int firstSlot = slot - (int)(PgOff(vma, address) - startPgoff);
        for (long p = startPgoff; p <= endPgoff; p++)
        {
            int s = firstSlot + (int)(p - startPgoff);
            if (s < 0 || s >= t.Length || t[s] != 0) continue;
            int pfn = file.CachePfn[p];
            if (pfn < 0) continue;
            if ((_k.Frames[pfn].Flags & (uint)FrameFlags.Readahead) != 0) continue;
            if (file.ReadyAt(p, asOf) > asOf) continue;
            MapFilePage(mm, vma, t, s, pfn, false);
            if (ra.MmapMiss > 0) ra.MmapMiss--;
        }
    }

    /// <summary>do_cow_fault: a write to a private file mapping gets a private anonymous copy of the file page.</summary>
    private FaultResult DoCowFault(MmStruct mm, Vma vma, Span<ulong> t, int slot, ulong address)
    {
        var file = vma.File!;
        long pgoff = PgOff(vma, address);
        if (pgoff >= file.Pages) return new(FaultOutcome.SegvMapErr, FaultKind.None, 0, 0);
        int src = FilemapFault(vma, pgoff, out long wait, out int read);
        if (src < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        bool major = wait > 0;
        int np = NewAnonPage(mm, vma, t, slot, _k.Frames[src].Content, address);
        if (np < 0) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        return new(major ? FaultOutcome.Major : FaultOutcome.Minor, FaultKind.CowFile, major ? wait : 0, read);
    }

    /// <summary>do_shared_fault: a write to a shared file mapping dirties the page cache page itself.</summary>
    private FaultResult DoSharedFault(MmStruct mm, Vma vma, Span<ulong> t, int slot, ulong address)
    {
        var file = vma.File!;
        long pgoff = PgOff(vma, address);
        if (pgoff >= file.Pages) return new(FaultOutcome.SegvMapErr, FaultKind.None, 0, 0);
        int pfn = FilemapFault(vma, pgoff, out long wait, out int read);
        if (pfn < 0 || mm.Exited) return new(FaultOutcome.Oom, FaultKind.None, 0, 0);
        bool major = wait > 0;
        MapFilePage(mm, vma, t, slot, pfn, true);
        MarkDirty(pfn);
        return new(major ? FaultOutcome.Major : FaultOutcome.Minor, FaultKind.FileShared, major ? wait : 0, read);
    }
}
