using MmSim.Paging;

namespace MmSim.Mm;

/// <summary>
/// One address space (<c>struct mm_struct</c>): its VMAs in address order, the root of its page table, and the
/// counters behind /proc/PID/status (total_vm, the rss_stat counters, pgtables_bytes).
/// </summary>
public sealed class MmStruct
{
    /// <summary>Linux's mmap_base with no randomisation: TASK_SIZE − the 128 MiB minimum stack gap
    /// (arch/x86/mm/mmap.c, mmap_base()).</summary>
    public const ulong DefaultMmapBase = PagingLayout.TaskSizeMax - (128UL << 20);
    /// <summary>This address space's mmap_base: <see cref="DefaultMmapBase"/> aligned down to the machine's page size
    /// (PAGE_ALIGN in mmap_base(); TASK_SIZE_MAX is 4 KiB short of 2^47, which a 16 or 64 KiB page does not divide).</summary>
    public ulong MmapBase = DefaultMmapBase;
    /// <summary>vm.mmap_min_addr default.</summary>
    public const ulong MmapMinAddr = 0x10000;

    public int Id { get; }
    /// <summary>The anon_vma family whose anonymous pages this address space may map.</summary>
    public int AnonVma;
    public readonly List<Vma> Vmas = new();
    public int PgdTable = -1;
    /// <summary>Torn down (exit_mmap): its process was killed, perhaps by an OOM kill from inside its own page
    /// fault, which must then leave the page tables alone.</summary>
    public bool Exited;
    public readonly Tlb Tlb;
    /// <summary>The simulator's memo of this address space's walks (not a model of anything).</summary>
    public readonly WalkCache Walks = new();

    /// <summary>total_vm in pages (VmSize).</summary>
    public long TotalVm;
    /// <summary>hiwater_vm in pages (VmPeak).</summary>
    public long HiwaterVm;
    /// <summary>locked_vm in pages (VmLck).</summary>
    public long LockedVm;
    /// <summary>data_vm and stack_vm in pages (VmData, VmStk), as vm_stat_account sorts mappings.</summary>
    public long DataVm, StackVm;
    /// <summary>MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS.</summary>
    public long RssAnon, RssFile, RssShmem, SwapEnts;
    /// <summary>hiwater_rss in pages (VmHWM).</summary>
    public long HiwaterRss;
    /// <summary>mm_pgtables_bytes: PUD, PMD and PTE tables (not the PGD), as VmPTE shows.</summary>
    public long PgtablesBytes;
    /// <summary>Pages charged to Committed_AS by this mm (private writable mappings).</summary>
    public long CommittedPages;

    public MmStruct(int id, int tlbEntries) : this(id, new Tlb(tlbEntries)) { }

    public MmStruct(int id, Tlb tlb)
    {
        Id = id;
        Tlb = tlb;
    }

    public long Rss => RssAnon + RssFile + RssShmem;

    public void UpdateHiwater()
    {
        long rss = Rss;
        if (rss > HiwaterRss) HiwaterRss = rss;
    }

    /// <summary>find_vma: the VMA containing <paramref name="address"/>, or null. The last one found is tried first
    /// (the kernel's per-thread vmacache did the same until the maple tree made it unneeded): faults and rmap
    /// walks come in runs on the same mapping. Its bounds are checked each time, so a VMA that was resized stays
    /// right; one taken off the list is forgotten (<see cref="RemoveVmaAt"/>).</summary>
    public Vma? FindVma(ulong address)
    {
        var last = _lastVma;
        if (last is not null && address >= last.Start && address < last.End) return last;
        int lo = 0, hi = Vmas.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            var v = Vmas[mid];
            if (address < v.Start) hi = mid - 1;
            else if (address >= v.End) lo = mid + 1;
            else return _lastVma = v;
        }
        return null;
    }

    private Vma? _lastVma;

    /// <summary>Takes the VMA at <paramref name="index"/> off the list (munmap).</summary>
    public void RemoveVmaAt(int index)
    {
        if (ReferenceEquals(Vmas[index], _lastVma)) _lastVma = null;
        Vmas.RemoveAt(index);
    }

    public Vma? FindByName(string name)
    {
        foreach (var v in Vmas) if (v.Name == name) return v;
        return null;
    }

    /// <summary>
    /// unmapped_area_topdown (mm/mmap.c): the highest gap below mmap_base that fits <paramref name="length"/>,
    /// so consecutive mappings sit right below each other, as on Linux without ASLR. Returns 0 if none fits.
    /// </summary>
    public ulong FindFreeAreaTopDown(ulong length)
    {
        ulong ceiling = MmapBase;
        for (int i = Vmas.Count - 1; i >= -1; i--)
        {
            ulong floor = i >= 0 ? Vmas[i].End : MmapMinAddr;
            if (floor >= ceiling) { if (i >= 0) ceiling = Math.Min(ceiling, Vmas[i].Start); continue; }
            if (ceiling - floor >= length) return ceiling - length;
            if (i >= 0) ceiling = Vmas[i].Start;
        }
        return 0;
    }

    /// <summary>Inserts keeping address order (the caller has checked there is no overlap).</summary>
    public void InsertVma(Vma vma)
    {
        int i = 0;
        while (i < Vmas.Count && Vmas[i].Start < vma.Start) i++;
        Vmas.Insert(i, vma);
    }

    public bool Overlaps(ulong start, ulong end)
    {
        foreach (var v in Vmas) if (v.Start < end && start < v.End) return true;
        return false;
    }
}
