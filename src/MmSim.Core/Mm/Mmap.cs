using MmSim.Machine;
using MmSim.PageCache;
using MmSim.Paging;

namespace MmSim.Mm;

/// <summary>
/// Creating and removing mappings (mm/mmap.c): do_mmap places a mapping top-down below mmap_base and only
/// reserves virtual space — no frame, no fault, VmSize grows and VmRSS does not; do_munmap zaps the PTEs,
/// frees anonymous pages and then the page tables nobody else needs; exit_mmap tears a whole space down.
/// </summary>
public sealed class Mmap
{
    private readonly Kernel _k;
    private readonly PageTableOps _pt;
    private readonly FaultHandler _faults;
    private readonly Overcommit _overcommit;

    public Mmap(Kernel kernel, PageTableOps pageTables, FaultHandler faults, Overcommit overcommit)
    {
        _k = kernel;
        _pt = pageTables;
        _faults = faults;
        _overcommit = overcommit;
    }

    /// <summary>The swap side, for zapping swap entries (set by the machine).</summary>
    public Swap.SwapOps? SwapOps { get; set; }

    public ulong PageAlign(ulong length) => (length + (ulong)_k.PageSize - 1) & ~((ulong)_k.PageSize - 1);

    /// <summary>
    /// do_mmap. <paramref name="fixedAddress"/> places it exactly (MAP_FIXED_NOREPLACE); otherwise top-down.
    /// Private writable mappings are accounted (VM_ACCOUNT) and may be refused by the overcommit policy.
    /// Returns the VMA, or null with <paramref name="error"/> set (ENOMEM, EEXIST).
    /// </summary>
    public Vma? DoMmap(MmStruct mm, string name, ulong length, VmFlags flags, SimFile? file, long pgoff,
        ulong fixedAddress, out string? error)
    {
        error = null;
        length = PageAlign(length);
        if (length == 0) { error = "EINVAL"; return null; }
        ulong start;
        if (fixedAddress != 0)
        {
            start = fixedAddress;
            if (start + length > PagingLayout.TaskSizeMax || mm.Overlaps(start, start + length)) { error = "EEXIST"; return null; }
        }
        else
        {
            start = file is not null ? ThpGetUnmappedArea(mm, length, pgoff) : 0;
            if (start == 0) start = mm.FindFreeAreaTopDown(length);
            if (start == 0) { error = "ENOMEM"; return null; }
        }
        long pages = (long)(length >> _k.PageShift);
        bool account = (flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write;
        if (account)
        {
            if (!_overcommit.VmEnoughMemory(mm, pages)) { error = "ENOMEM"; return null; }
            flags |= VmFlags.Account;
            mm.CommittedPages += pages;
        }
        var vma = new Vma { Start = start, End = start + length, Flags = flags, Name = name, File = file, PgOff = pgoff };
        mm.InsertVma(vma);
        file?.Mappings.Add((mm, vma));
        mm.TotalVm += pages;
        if (mm.TotalVm > mm.HiwaterVm) mm.HiwaterVm = mm.TotalVm;
        if ((flags & VmFlags.Locked) != 0) mm.LockedVm += pages;
        StatAccount(mm, flags, pages);
        return vma;
    }

    /// <summary>
    /// __thp_get_unmapped_area (mm/huge_memory.c; for file mappings of every filesystem that uses
    /// thp_get_unmapped_area, ext4 among them, since 5.18): a file mapping that holds at least one whole
    /// PMD-sized, PMD-aligned piece of the file is placed so that file offset and address agree modulo PMD_SIZE
    /// (2 MiB), by asking for the length plus 2 MiB and aligning inside it. Anonymous mappings are not aligned in
    /// 6.1 (that came in 6.7). Returns 0 when the rule does not apply.
    /// </summary>
    private ulong ThpGetUnmappedArea(MmStruct mm, ulong length, long pgoff)
    {
        var layout = _k.Layout;
        if (layout.Levels < 2) return 0;
        ulong size = 1UL << layout.LevelShift[layout.Levels - 2];
        ulong off = (ulong)pgoff << _k.PageShift;
        ulong offEnd = (off + length) & ~(size - 1);
        ulong offAlign = (off + size - 1) & ~(size - 1);
        if (offEnd <= offAlign || offEnd - offAlign < size) return 0;
        ulong padded = mm.FindFreeAreaTopDown(length + size);
        if (padded == 0) return 0;
        return padded + ((off - padded) & (size - 1));
    }

    /// <summary>do_munmap of one whole VMA: zap_page_range, then free_pgtables between the neighbours.</summary>
    public void Unmap(MmStruct mm, Vma vma)
    {
        Zap(mm, vma.Start, vma.End);
        int i = mm.Vmas.IndexOf(vma);
        mm.RemoveVmaAt(i);
        vma.File?.Mappings.Remove((mm, vma));
        ulong floor = i > 0 ? mm.Vmas[i - 1].End : 0;
        ulong ceiling = i < mm.Vmas.Count ? mm.Vmas[i].Start : 1UL << 47;
        _pt.FreePgtables(mm, vma.Start, vma.End, floor, ceiling);
        long pages = vma.PageCount(_k.PageShift);
        mm.TotalVm -= pages;
        if ((vma.Flags & VmFlags.Locked) != 0) mm.LockedVm -= pages;
        StatAccount(mm, vma.Flags, -pages);
        if ((vma.Flags & VmFlags.Account) != 0)
        {
            _overcommit.Unaccount(pages);
            mm.CommittedPages -= pages;
        }
        mm.Tlb.FlushAll();
    }

    /// <summary>vm_stat_account: stack mappings count in VmStk, private writable ones in VmData.</summary>
    private static void StatAccount(MmStruct mm, VmFlags flags, long pages)
    {
        if ((flags & VmFlags.Growsdown) != 0) mm.StackVm += pages;
        else if ((flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write) mm.DataVm += pages;
    }

    /// <summary>zap_pte_range: clears every PTE in the range and drops the pages' mappings.</summary>
    private void Zap(MmStruct mm, ulong start, ulong end)
    {
        _pt.ForEachLeaf(mm, start, end, (table, slot, _) =>
        {
            var t = _k.Tables[table];
            ulong pte = t[slot];
            t[slot] = 0;
            if (Pte.IsSwap(pte))
            {
                mm.SwapEnts--;
                SwapOps!.FreeEntry((int)Pte.Pfn(pte));
                return;
            }
            if ((pte & Pte.Present) == 0 || (pte & Pte.Special) != 0) return;
            int pfn = (int)Pte.Pfn(pte);
            bool file = (_k.Frames[pfn].Flags & (uint)Physical.FrameFlags.File) != 0;
            _faults.UnmapPage(mm, pfn, file);
        });
    }

    /// <summary>exit_mmap: every mapping, every table, then the PGD.</summary>
    public void ExitMmap(MmStruct mm)
    {
        mm.Exited = true;
        while (mm.Vmas.Count > 0) Unmap(mm, mm.Vmas[^1]);
        // free_pgtables(..., FIRST_USER_ADDRESS, USER_PGTABLES_CEILING): no ceiling, so the tables of every level go,
        // the 5-level layout's P4D table too (its one entry spans 2^48 bytes, beyond the 47-bit user window).
        _pt.FreePgtables(mm, 0, ulong.MaxValue, 0, ulong.MaxValue);
        _pt.FreePgd(mm);
    }
}
