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
        int i = tlb.Probe(vpn);
        if (i >= 0) return Hit(tlb, ref tlb.At(i), kind, content);
        return Miss(mm, address, vpn, kind, content, ~i);
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

    /// <summary>A first-level miss: the second level if there is one, else (or if it misses too) the walk; the
    /// translation then fills <paramref name="victim"/>, the first-level entry <see cref="Tlb.Probe"/> chose.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the cold path stays out of the caller's loop, whatever the JIT tier
    private int Miss(MmStruct mm, ulong address, long vpn, AccessKind kind, int content, int victim)
    {
        var tlb = mm.Tlb;
        tlb.Misses++;
        if (tlb.HasL2) return MissL2(mm, address, vpn, kind, content, victim);
        int table = Walk(mm, address);
        if (table < 0) return Fault;
        int slot = (int)((address >> _pageShift) & _indexMask);
        ulong pte = SetAccessed(table, slot, kind, content);
        if (pte == 0) return Fault;
        tlb.FillL1(victim, vpn, pte, table, slot);
        return Walked;
    }

    private int MissL2(MmStruct mm, ulong address, long vpn, AccessKind kind, int content, int victim)
    {
        var tlb = mm.Tlb;
        ref var e2 = ref tlb.LookupL2(vpn);
        if (e2.Vpn == vpn)
        {
            // A first-level miss served by the second level: no walk; the entry moves up to the first level.
            tlb.L2Hits++;
            tlb.FillL1(victim, vpn, e2.Pte, e2.Table, e2.Slot);
            int r = Hit(tlb, ref tlb.At(victim), kind, content);
            if (r == TlbHit) tlb.Hits--; // counted as a first-level miss, not a hit
            return r;
        }
        tlb.L2Misses++;
        int table = Walk(mm, address);
        if (table < 0) return Fault;
        int slot = (int)((address >> _pageShift) & _indexMask);
        ulong pte = SetAccessed(table, slot, kind, content);
        if (pte == 0) return Fault;
        tlb.FillL1(victim, vpn, pte, table, slot);
        tlb.Fill(ref e2, vpn, pte, table, slot);
        return Walked;
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
        return Walk(mm, address);
    }

    /// <summary>
    /// The hardware walk, as xv6's <c>walk()</c>: from the root table down the upper levels to the leaf (PTE)
    /// table covering <paramref name="address"/>. Returns its pool id, or −1 when there is no address space or an
    /// upper-level entry is not present.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Walk(MmStruct mm, ulong address)
    {
        int leaf = _pool.Remembered(mm.Walks, address);
        if (leaf >= 0) return leaf;
        leaf = WalkTables(mm.PgdTable, address);
        if (leaf >= 0) _pool.Remember(mm.Walks, address, leaf, _pool.Generation);
        return leaf;
    }

    /// <summary>The walk itself, level by level (<see cref="Walk"/> remembers its results).</summary>
    private int WalkTables(int table, ulong address)
    {
        if (table < 0) return -1;
        int[] shift = _shift; // a local: its length bounds the loop, so shift[level] needs no bounds check
        for (int level = 0; level < shift.Length - 1; level++)
        {
            ulong entry = _pool.Entry(table, (int)((address >> shift[level]) & _indexMask));
            if ((entry & Pte.Present) == 0) return -1;
            table = (int)Pte.Pfn(entry);
        }
        return table;
    }

    /// <summary>
    /// The leaf step of the walk: checks the PTE allows the access and sets its accessed bit (and dirty bit for a
    /// write, storing the content into the frame), as the CPU does. Returns the PTE as updated, or 0 (never a
    /// present PTE) when the access faults. Like the hardware, it writes the entry back only when a bit changes:
    /// a store on every walk would also make the next walk's loads wait for it (the CPU cannot tell early that
    /// they read other entries), which cost about 2 ns per walk in TranslateBenchmarks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong SetAccessed(int table, int slot, AccessKind kind, int content)
    {
        ref ulong entry = ref _pool.Entry(table, slot);
        ulong old = entry, pte = old;
        if ((pte & Pte.Present) == 0) return 0;
        if (kind == AccessKind.Write)
        {
            if ((pte & Pte.Write) == 0) return 0;
            pte |= Pte.Accessed | Pte.Dirty;
            _frames[Pte.Pfn(pte)].Content = content;
        }
        else
        {
            if (kind == AccessKind.Exec && (pte & Pte.NoExec) != 0) return 0;
            pte |= Pte.Accessed;
        }
        if (pte != old) entry = pte;
        LastPte = pte;
        return pte;
    }
}
