using MmSim.Machine;
using MmSim.Paging;
using MmSim.Physical;

namespace MmSim.Mm;

/// <summary>
/// fork's memory half (kernel/fork.c dup_mmap, mm/memory.c copy_page_range): the child gets a copy of every
/// mapping and of the page tables; private anonymous pages are shared, write-protected in both, so the first
/// write on either side copies (do_wp_page). Shared pages count in both processes' RSS, as Linux counts them;
/// swap entries are duplicated (swap_duplicate). Private writable mappings are charged to Committed_AS again.
/// </summary>
public sealed class Fork
{
    private readonly Kernel _k;
    private readonly PageTableOps _pt;
    private readonly Overcommit _overcommit;

    public Fork(Kernel kernel, PageTableOps pageTables, Overcommit overcommit)
    {
        _k = kernel;
        _pt = pageTables;
        _overcommit = overcommit;
    }

    /// <summary>Copies <paramref name="parent"/> into the empty <paramref name="child"/>; false (ENOMEM) if a page
    /// table could not be allocated or the commit charge is refused. Returns the child's VMA for each parent VMA.</summary>
    public bool DupMmap(MmStruct parent, MmStruct child, Dictionary<Vma, Vma> vmaMap)
    {
        if (!_pt.AllocPgd(child)) return false;
        foreach (var v in parent.Vmas)
        {
            long pages = v.PageCount(_k.PageShift);
            if ((v.Flags & VmFlags.Account) != 0)
            {
                if (!_overcommit.VmEnoughMemory(child, pages)) return false;
                child.CommittedPages += pages;
            }
            var c = new Vma { Start = v.Start, End = v.End, Flags = v.Flags, Name = v.Name, File = v.File, PgOff = v.PgOff, TailWaste = v.TailWaste };
            child.Vmas.Add(c);
            c.File?.Mappings.Add((child, c));
            vmaMap[v] = c;
            if (!CopyPageRange(parent, child, v)) return false;
        }
        child.TotalVm = parent.TotalVm;
        child.HiwaterVm = parent.TotalVm;
        child.DataVm = parent.DataVm;
        child.StackVm = parent.StackVm;
        child.LockedVm = 0; // mlock is not inherited (VM_LOCKED is cleared in the child)
        foreach (var c in child.Vmas) c.Flags &= ~VmFlags.Locked;
        child.UpdateHiwater();
        parent.Tlb.FlushAll();
        return true;
    }

    private bool CopyPageRange(MmStruct parent, MmStruct child, Vma vma)
    {
        bool cow = (vma.Flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write;
        var leaves = new List<(int Table, int Slot, ulong Address)>();
        _pt.ForEachLeaf(parent, vma.Start, vma.End, (t, slot, addr) => leaves.Add((t, slot, addr)));
        foreach (var (t, slot, addr) in leaves)
        {
            // The child's table first, then the parent's entry (copy_pte_range reads it under the table lock
            // after pte_alloc): the table's allocation may reclaim, and unmap or swap out the parent's page.
            int ct = _pt.WalkAlloc(child, addr, out int cslot);
            if (ct < 0 || parent.Exited) return false; // no memory, or the OOM killer chose the parent itself
            ulong pte = _k.Tables[t][slot];
            if (Pte.IsSwap(pte))
            {
                _k.Swap.Dup((int)Pte.Pfn(pte));
                child.SwapEnts++;
                _k.Tables[ct][cslot] = pte;
                continue;
            }
            if ((pte & Pte.Present) == 0) continue;
            if ((pte & Pte.Special) != 0)
            {
                _k.Tables[ct][cslot] = pte;
                continue;
            }
            int pfn = (int)Pte.Pfn(pte);
            ref var f = ref _k.Frames[pfn];
            f.MapCount++;
            if ((f.Flags & (uint)FrameFlags.File) != 0) child.RssFile++;
            else
            {
                child.RssAnon++;
                if (cow && (pte & Pte.Write) != 0)
                {
                    pte &= ~Pte.Write;
                    _k.Tables[t][slot] = pte; // by id: WalkAlloc may have grown the pool
                }
            }
            _k.Tables[ct][cslot] = pte;
        }
        return true;
    }
}
