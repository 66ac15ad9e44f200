using System.Runtime.CompilerServices;
using MmSim.Mm;
using MmSim.Physical;

namespace MmSim.Paging;

/// <summary>
/// The CPU's memory-management unit: TLB lookup, and on a miss the page-table walk (the hardware's, like xv6's
/// <c>walk()</c>), setting the accessed and dirty bits as x86 does. Anything it cannot satisfy is a page fault
/// for <see cref="FaultHandler"/>. This is the hot path: no allocation, no virtual calls.
/// </summary>
public sealed class Mmu
{
    /// <summary>Translated from the TLB.</summary>
    public const int TlbHit = 0;
    /// <summary>Translated by walking the page table (the TLB is refilled).</summary>
    public const int Walked = 1;
    /// <summary>Not translatable as asked: the kernel must handle a page fault.</summary>
    public const int Fault = -1;

    private readonly PageTablePool _pool;
    private readonly Frame[] _frames;
    private readonly int _pageShift;
    private readonly int _levels;
    private readonly int[] _shift;
    private readonly ulong _indexMask;

    public Mmu(PagingLayout layout, PageTablePool pool, Frame[] frames)
    {
        _pool = pool;
        _frames = frames;
        _pageShift = layout.PageShift;
        _levels = layout.Levels;
        _shift = layout.LevelShift;
        _indexMask = (ulong)layout.EntriesPerTable - 1;
    }

    public int Levels => _levels;

    /// <summary>The PTE of the last access that translated (its frame gives the physical address the CPU caches
    /// are indexed by).</summary>
    public ulong LastPte;

    /// <summary>
    /// Translates one user access. <paramref name="content"/> is stored into the frame on a write, so that what
    /// was written can be checked later. The address must be a user address (the caller checks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Access(MmStruct mm, ulong address, AccessKind kind, int content)
    {
        long vpn = (long)(address >> _pageShift);
        var tlb = mm.Tlb;
        ref var e = ref tlb.Lookup(vpn);
        if (e.Vpn == vpn) return Hit(tlb, ref e, kind, content);
        return Miss(mm, address, vpn, kind, content, ref e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Hit(Tlb tlb, ref Tlb.Entry e, AccessKind kind, int content)
    {
        ulong pte = e.Pte;
        LastPte = pte;
        if (kind == AccessKind.Read)
        {
            tlb.Hits++;
            return TlbHit;
        }
        if (kind == AccessKind.Write)
        {
            if ((pte & Pte.Write) != 0)
            {
                if ((pte & Pte.Dirty) == 0)
                {
                    // The CPU writes the dirty bit back to the page table on the first store.
                    _pool.Entry(e.Table, e.Slot) |= Pte.Dirty;
                    e.Pte = pte | Pte.Dirty;
                }
                _frames[Pte.Pfn(pte)].Content = content;
                tlb.Hits++;
                return TlbHit;
            }
            return Fault;
        }
        if ((pte & Pte.NoExec) == 0) { tlb.Hits++; return TlbHit; }
        return Fault;
    }

    private int Miss(MmStruct mm, ulong address, long vpn, AccessKind kind, int content, ref Tlb.Entry e)
    {
        var tlb = mm.Tlb;
        if (!tlb.HasL2) return Walk(mm, address, vpn, kind, content, ref e, ref e);
        ref var e2 = ref tlb.LookupL2(vpn);
        if (e2.Vpn == vpn)
        {
            // A first-level miss served by the second level: no walk; the entry moves up to the first level.
            tlb.Misses++;
            tlb.L2Hits++;
            tlb.Fill(ref e, vpn, e2.Pte, e2.Table, e2.Slot);
            int r = Hit(tlb, ref e, kind, content);
            if (r == TlbHit) tlb.Hits--; // counted as a first-level miss, not a hit
            return r;
        }
        tlb.L2Misses++;
        return Walk(mm, address, vpn, kind, content, ref e, ref e2);
    }

    /// <summary>
    /// Walks the upper levels for <paramref name="address"/> and asks the CPU for the leaf PTE's cache line, so
    /// that a later translation of it finds the line in cache. Changes nothing (no accessed bits, no TLB fill).
    /// </summary>
    public void PrefetchPte(MmStruct mm, ulong address)
    {
        int table = LeafTable(mm, address, out int slot);
        if (table >= 0) _pool.Prefetch(table, slot);
    }

    /// <summary>The walk's upper levels: the leaf table holding the PTE of <paramref name="address"/> and the
    /// PTE's slot in it, or −1 if a level is missing. Reads only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LeafTable(MmStruct mm, ulong address, out int slot)
    {
        slot = (int)((address >> _pageShift) & _indexMask);
        int table = mm.PgdTable;
        if (table < 0) return -1;
        for (int level = 0; level < _levels - 1; level++)
        {
            ulong entry = _pool.Entry(table, (int)((address >> _shift[level]) & _indexMask));
            if ((entry & Pte.Present) == 0) return -1;
            table = (int)Pte.Pfn(entry);
        }
        return table;
    }

    private int Walk(MmStruct mm, ulong address, long vpn, AccessKind kind, int content, ref Tlb.Entry e, ref Tlb.Entry e2)
    {
        var tlb = mm.Tlb;
        tlb.Misses++;
        if (mm.PgdTable < 0) return Fault;
        int table = mm.PgdTable;
        for (int level = 0; level < _levels - 1; level++)
        {
            ulong entry = _pool.Entry(table, (int)((address >> _shift[level]) & _indexMask));
            if ((entry & Pte.Present) == 0) return Fault;
            table = (int)Pte.Pfn(entry);
        }
        int slot = (int)((address >> _pageShift) & _indexMask);
        ref ulong t = ref _pool.Entry(table, slot);
        ulong pte = t;
        if ((pte & Pte.Present) == 0) return Fault;
        if (kind == AccessKind.Write)
        {
            if ((pte & Pte.Write) == 0) return Fault;
            pte |= Pte.Accessed | Pte.Dirty;
            _frames[Pte.Pfn(pte)].Content = content;
        }
        else
        {
            if (kind == AccessKind.Exec && (pte & Pte.NoExec) != 0) return Fault;
            pte |= Pte.Accessed;
        }
        t = pte;
        LastPte = pte;
        tlb.Fill(ref e, vpn, pte, table, slot);
        if (!Unsafe.AreSame(ref e, ref e2)) tlb.Fill(ref e2, vpn, pte, table, slot);
        return Walked;
    }
}
