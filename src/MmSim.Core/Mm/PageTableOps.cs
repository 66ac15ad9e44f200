using MmSim.Machine;
using MmSim.Paging;
using MmSim.Physical;

namespace MmSim.Mm;

/// <summary>
/// The kernel's side of page tables: allocating tables on the way down a fault (<c>__pud_alloc</c>,
/// <c>__pmd_alloc</c>, <c>__pte_alloc</c> in mm/memory.c), and freeing them when a range is unmapped
/// (<c>free_pgtables</c> / <c>free_pgd_range</c>). Every table is a frame: counted in the mm's pgtables_bytes
/// (VmPTE, which like Linux leaves the PGD out) and in NR_PAGETABLE (PageTables, which counts the PGD too).
/// </summary>
public sealed class PageTableOps
{
    private readonly Kernel _k;
    private readonly PagingLayout _layout;
    private readonly PageTablePool _pool;
    private const ulong TableEntryFlags = Pte.Present | Pte.Write | Pte.User | Pte.Accessed;

    public PageTableOps(Kernel kernel)
    {
        _k = kernel;
        _layout = kernel.Layout;
        _pool = kernel.Tables;
    }


    /// <summary>pgd_alloc: the root table of a new address space. False if no page could be had.</summary>
    public bool AllocPgd(MmStruct mm)
    {
        int id = AllocTable(mm);
        if (id < 0) return false;
        mm.PgdTable = id;
        return true;
    }

    private int AllocTable(MmStruct mm)
    {
        int pfn = _k.AllocKernelPage();
        if (pfn < 0) return -1;
        int id = _pool.Add(pfn);
        ref var f = ref _k.Frames[pfn];
        f.Flags |= (uint)FrameFlags.PageTable;
        f.Owner = mm.Id;
        f.Index = id;
        _k.NrPageTable++;
        return id;
    }

    private void FreeTable(int id)
    {
        int pfn = _pool.FrameOf(id);
        _pool.Remove(id);
        _k.NrPageTable--;
        _k.FreePage(pfn);
    }

    /// <summary>
    /// Walks to the leaf table for <paramref name="address"/>, allocating missing tables. Returns the leaf
    /// table's pool id and the slot, or -1 when a table page could not be allocated.
    /// </summary>
    public int WalkAlloc(MmStruct mm, ulong address, out int slot)
    {
        int generation = _pool.Generation; // as the walk starts: an allocation below may free tables (an OOM kill)
        int leaf = _pool.Remembered(mm.Walks, address);
        if (leaf >= 0)
        {
            slot = _layout.LeafIndex(address);
            return leaf;
        }
        int table = mm.PgdTable;
        for (int level = 0; level < _layout.Levels - 1; level++)
        {
            int idx = _layout.Index(address, level);
            ulong entry = _pool[table][idx];
            if ((entry & Pte.Present) == 0)
            {
                int child = AllocTable(mm);
                if (child < 0) { slot = -1; return -1; }
                if (mm.Exited)
                {
                    // The allocation's OOM kill chose this very process and tore its tables down.
                    FreeTable(child);
                    slot = -1;
                    return -1;
                }
                _pool[table][idx] = Pte.Make(child, TableEntryFlags); // after AllocTable: the pool may have grown
                if (_layout.CountsInPgtablesBytes(level + 1)) mm.PgtablesBytes += _layout.PageSize;
                table = child;
            }
            else table = (int)Pte.Pfn(entry);
        }
        slot = _layout.LeafIndex(address);
        _pool.Remember(mm.Walks, address, table, generation);
        return table;
    }

    /// <summary>The leaf table and slot for an address, without allocating; -1 if a level is missing.</summary>
    public int Walk(MmStruct mm, ulong address, out int slot)
    {
        slot = -1;
        if (mm.PgdTable < 0) return -1;
        int leaf = _pool.Remembered(mm.Walks, address);
        if (leaf >= 0)
        {
            slot = _layout.LeafIndex(address);
            return leaf;
        }
        int table = mm.PgdTable;
        for (int level = 0; level < _layout.Levels - 1; level++)
        {
            ulong entry = _pool.Entry(table, _layout.Index(address, level));
            if ((entry & Pte.Present) == 0) return -1;
            table = (int)Pte.Pfn(entry);
        }
        slot = _layout.LeafIndex(address);
        _pool.Remember(mm.Walks, address, table, _pool.Generation);
        return table;
    }

    /// <summary>Calls <paramref name="leaf"/> for every present-or-nonzero leaf entry in [start, end).</summary>
    public void ForEachLeaf(MmStruct mm, ulong start, ulong end, LeafVisitor leaf)
    {
        if (mm.PgdTable >= 0 && start < end) Visit(mm.PgdTable, 0, 0, start, end, leaf);
    }

    /// <summary>Visits the leaf entry <paramref name="slot"/> of the pool's table <paramref name="table"/>.</summary>
    public delegate void LeafVisitor(int table, int slot, ulong address);

    private void Visit(int table, int level, ulong baseAddr, ulong start, ulong end, LeafVisitor leaf)
    {
        var t = _pool[table];
        int shift = _layout.LevelShift[level];
        ulong span = 1UL << shift;
        int first = (int)((Math.Max(start, baseAddr) - baseAddr) >> shift);
        for (int i = first; i < t.Length; i++)
        {
            ulong a = baseAddr + (ulong)i * span;
            if (a >= end) break;
            ulong entry = t[i];
            if (entry == 0) continue;
            if (level == _layout.Levels - 1) leaf(table, i, a);
            else Visit((int)Pte.Pfn(entry), level + 1, a, start, end, leaf);
        }
    }

    /// <summary>
    /// free_pgtables for an unmapped [start, end): frees each table whose whole span lies in [floor, ceiling),
    /// the gap between the neighbouring mappings, as free_pgd_range does.
    /// </summary>
    public void FreePgtables(MmStruct mm, ulong start, ulong end, ulong floor, ulong ceiling)
    {
        if (mm.PgdTable >= 0) FreeLevel(mm, mm.PgdTable, 0, 0, start, end, floor, ceiling);
    }

    private void FreeLevel(MmStruct mm, int table, int level, ulong baseAddr, ulong start, ulong end, ulong floor, ulong ceiling)
    {
        if (level == _layout.Levels - 1) return;
        var t = _pool[table];
        int shift = _layout.LevelShift[level];
        ulong span = 1UL << shift;
        int first = (int)((Math.Max(start, baseAddr) - baseAddr) >> shift);
        for (int i = first; i < t.Length; i++)
        {
            ulong a = baseAddr + (ulong)i * span;
            if (a >= end) break;
            ulong entry = t[i];
            if ((entry & Pte.Present) == 0) continue;
            int child = (int)Pte.Pfn(entry);
            FreeLevel(mm, child, level + 1, a, start, end, floor, ceiling);
            if (a >= floor && a + span - 1 <= ceiling - 1)
            {
                t[i] = 0;
                FreeTable(child);
                if (_layout.CountsInPgtablesBytes(level + 1)) mm.PgtablesBytes -= _layout.PageSize;
            }
        }
    }

    /// <summary>Frees the root table (exit_mmap's pgd_free); everything below must be gone already.</summary>
    public void FreePgd(MmStruct mm)
    {
        if (mm.PgdTable < 0) return;
        FreeTable(mm.PgdTable);
        mm.PgdTable = -1;
    }
}
