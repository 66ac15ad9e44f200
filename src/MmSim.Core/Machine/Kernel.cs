using MmSim.Mm;
using MmSim.PageCache;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Workloads;

namespace MmSim.Machine;

/// <summary>
/// The simulated kernel's memory state: physical memory, every page table, the page cache, the LRU lists, the
/// node's state counters (what /proc/meminfo and /proc/vmstat print) and the event log. The mechanisms in Mm/,
/// PageCache/ and Reclaim/ act on it; reports read it.
/// </summary>
public sealed class Kernel
{
    public readonly PhysicalMemory Phys;
    public readonly Frame[] Frames;
    public readonly PagingLayout Layout;
    public readonly PageTablePool Tables;
    public readonly VmEventCounters Events = new();
    public readonly LruLists Lru;
    public readonly EventLog Log = new();
    /// <summary>The vmscan tracepoints, when the run records them (null otherwise).</summary>
    public TraceLog? Trace;
    public readonly VmSpec Vm;
    public readonly LatencySpec Latency;
    public readonly List<SimFile> Files = new();
    public readonly Dictionary<string, SimFile> FilesByPath = new(StringComparer.Ordinal);
    public readonly int PageSize;
    public readonly int PageShift;
    public readonly long TotalSwapPages;

    // Node state counters (enum node_stat_item / zone_stat_item), in pages unless named otherwise.
    /// <summary>NR_ANON_MAPPED (AnonPages).</summary>
    public long NrAnonMapped;
    /// <summary>NR_FILE_MAPPED (Mapped).</summary>
    public long NrFileMapped;
    /// <summary>NR_FILE_PAGES: page cache pages (plus swap cache, when the swap issue lands).</summary>
    public long NrFilePages;
    /// <summary>NR_PAGETABLE (PageTables): every page-table page, the PGD included.</summary>
    public long NrPageTable;
    /// <summary>NR_KERNEL_STACK_KB.</summary>
    public long NrKernelStackKb;
    /// <summary>The kernel's own memory at boot (machine.kernel_memory), in pages: NR_SLAB_RECLAIMABLE_B,
    /// NR_SLAB_UNRECLAIMABLE_B, nr_vmalloc_pages, pcpu_nr_pages, and the rest; held for the whole run.</summary>
    public long NrSlabReclaimable, NrSlabUnreclaimable, NrVmalloc, NrPercpu, NrKernelOther;
    /// <summary>The frames holding that memory (one owner each, for the invariants).</summary>
    public int[] KernelMemoryPfns = [];
    public long NrShmem;
    public long NrFileDirty;
    public long NrWriteback;
    public long NrSwapCache;
    /// <summary>vm_committed_as, in pages (Committed_AS).</summary>
    public long CommittedAs;

    /// <summary>The swap area (machine.swap); no slots when swap is 0.</summary>
    public readonly Swap.SwapDevice Swap;
    /// <summary>The disk the scenario's files live on.</summary>
    public readonly PageCache.BlockDevice Disk = new();
    /// <summary>Address spaces by id, for the reverse map.</summary>
    public readonly List<MmStruct?> MmById = new() { null };
    /// <summary>anon_vma families: the address spaces that may map an anonymous page of the family (a process
    /// and the children it forked), by family id.</summary>
    public readonly List<List<MmStruct>> AnonVmas = new() { new List<MmStruct>() };
    /// <summary>lruvec->nonresident_age (mm/workingset.c): evictions plus activations.</summary>
    public long NonresidentAge;
    /// <summary>lruvec anon_cost / file_cost (lru_note_cost), the I/O cost of reclaiming each type.</summary>
    public long AnonCost, FileCost;
    /// <summary>Set when something that must run soon (kswapd, the flusher) was woken: the running task gives
    /// up its slice at the next fault so simulated threads interleave.</summary>
    public bool PreemptRequested;
    /// <summary>Wakes kswapd (wakeup_kswapd); set by the machine.</summary>
    public Action? WakeKswapd;
    /// <summary>Dirty page cache and the flusher thread; set by the machine.</summary>
    public PageCache.Writeback? Writeback;

    /// <summary>The task on whose behalf the kernel works now (the faulting task), null in a kernel thread.</summary>
    public Sched.SimTask? Current;
    /// <summary>The CPU <see cref="Current"/> runs on (smp_processor_id), set by the scheduler: the memcg charge
    /// stock is per CPU (memcg issue).</summary>
    public int CurrentCpu;
    /// <summary>The page allocator's slow path (reclaim, OOM); set by the machine.</summary>
    public Reclaim.PageAllocator? Allocator;
    /// <summary>Set by a kernel panic: the machine stops.</summary>
    public bool Halted;
    /// <summary>Stops the machine with a panic message (set up by the machine).</summary>
    public Action<string>? OnPanic;

    public void Panic(string message)
    {
        Halted = true;
        Log.Add(Now, EventTypes.Panic, 0, message);
        OnPanic?.Invoke(message);
    }

    /// <summary>Simulated time of the work being done now (the running task's clock), for event stamps.</summary>
    public long Now;

    public Kernel(Scenario scenario)
    {
        var m = scenario.Machine;
        Vm = scenario.Vm;
        Latency = m.Latency;
        Phys = new PhysicalMemory(new PhysicalMemoryConfig
        {
            MemoryBytes = m.MemoryBytes,
            PageSize = m.PageSize,
            KernelReservedBytes = m.KernelReservedBytes,
            MinFreeKbytes = Vm.MinFreeKbytes,
            WatermarkScaleFactor = Vm.WatermarkScaleFactor,
            LowmemReserveRatio = Vm.LowmemReserveRatio,
            TransparentHugepage = m.TransparentHugepage,
        });
        Frames = Phys.Frames;
        PageSize = m.PageSize;
        PageShift = Phys.PageShift;
        Layout = new PagingLayout(PageSize, scenario.Machine.Translation == "x86_64_la57");
        Tables = new PageTablePool(Layout.EntriesPerTable, Layout.Levels >= 2 ? Layout.LevelShift[Layout.Levels - 2] : 63);
        Lru = new LruLists(Phys, Events);
        Lru.Activated = () => NonresidentAge++;
        Swap = new Swap.SwapDevice(m.SwapBytes / PageSize);
        TotalSwapPages = Swap.TotalSlots;
        foreach (var f in scenario.Files)
        {
            var file = new SimFile(Files.Count, f.Path, f.SizeBytes, PageSize);
            Files.Add(file);
            FilesByPath[f.Path] = file;
        }
        BootKernelMemory(m.KernelMemory, scenario.SourceName, m.Line);
    }

    /// <summary>
    /// Takes the kernel's own memory (slab, vmalloc, per-CPU areas, the rest) out of the free pages, as boot and the
    /// system's start-up leave it before the scenario's first process. GFP_KERNEL pages come from the highest zone
    /// first. These allocations happen before the counters start (the twin's counters are deltas from the start),
    /// so pgalloc does not count them.
    /// </summary>
    private void BootKernelMemory(Workloads.KernelMemorySpec spec, string source, int line)
    {
        long Pages(long bytes) => (bytes + PageSize - 1) / PageSize;
        NrSlabReclaimable = Pages(spec.SlabReclaimableBytes);
        NrSlabUnreclaimable = Pages(spec.SlabUnreclaimableBytes);
        NrVmalloc = Pages(spec.VmallocBytes);
        NrPercpu = Pages(spec.PercpuBytes);
        NrKernelOther = Pages(spec.OtherBytes);
        long total = NrSlabReclaimable + NrSlabUnreclaimable + NrVmalloc + NrPercpu + NrKernelOther;
        if (total == 0) return;
        var pfns = new int[total];
        for (long i = 0; i < total; i++)
        {
            int pfn = Phys.AllocPage(ZoneType.Normal, AllocFlags.WmarkMin);
            if (pfn < 0)
                throw new InputException(source, spec.Line > 0 ? spec.Line : line,
                    $"machine.kernel_memory ({PagesToKb(total)} kB) does not fit in the free memory above the min watermark " +
                    $"({PagesToKb(i)} kB did)");
            pfns[i] = pfn;
        }
        KernelMemoryPfns = pfns;
        foreach (var z in Phys.Zones) z.AllocCount = 0;
    }

    public long PagesToKb(long pages) => pages * (PageSize / 1024);

    /// <summary>
    /// Allocates one page for user memory (GFP_HIGHUSER_MOVABLE) through the page allocator: the fast path, then
    /// kswapd, direct reclaim and the OOM killer (<see cref="Reclaim.PageAllocator"/>). -1 when it fails.
    /// </summary>
    public int AllocUserPage()
    {
        if (Memcg is not null) return Memcg.ChargeNew(AllocUserPageNoCharge()); // memcg issue: mem_cgroup_charge
        return AllocUserPageNoCharge();
    }

    /// <summary>The memory cgroups, when the scenario has any (memcg issue).</summary>
    public Memcg.MemcgController? Memcg;

    // Pages a fault holds while it allocates more: the kernel's folio reference (filemap_fault's, held across its
    // read-ahead) and PG_locked (a page read in by read-ahead stays locked until its read completes), which keep
    // reclaim from freeing them under the fault (shrink_folio_list: folio_trylock fails → keep). Without it a
    // fault could map a page that reclaim had just freed. A fault holds a few at most.
    private int[] _pinned = new int[8];
    private int _pinnedCount;

    /// <summary>Holds <paramref name="pfn"/> against reclaim until <see cref="Unpin"/>.</summary>
    public void Pin(int pfn)
    {
        if (_pinnedCount == _pinned.Length) Array.Resize(ref _pinned, _pinned.Length * 2);
        _pinned[_pinnedCount++] = pfn;
    }

    /// <summary>Releases one hold of <paramref name="pfn"/> taken with <see cref="Pin"/> (holds stay in the order
    /// they were taken, so <see cref="UnpinTo"/> can release a window's at once).</summary>
    public void Unpin(int pfn)
    {
        for (int i = _pinnedCount - 1; i >= 0; i--)
        {
            if (_pinned[i] != pfn) continue;
            Array.Copy(_pinned, i + 1, _pinned, i, --_pinnedCount - i);
            return;
        }
        throw new InvalidOperationException($"pfn {pfn} is not pinned");
    }

    /// <summary>Releases every hold taken since <see cref="PinnedCount"/> was <paramref name="mark"/> (a read-ahead
    /// window's pages, once their read is in flight).</summary>
    public void UnpinTo(int mark) => _pinnedCount = mark;

    /// <summary>Whether a fault holds <paramref name="pfn"/> (reclaim must keep it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool IsPinned(int pfn)
    {
        for (int i = 0; i < _pinnedCount; i++) if (_pinned[i] == pfn) return true;
        return false;
    }

    /// <summary>Pages held by faults right now (0 between faults).</summary>
    public int PinnedCount => _pinnedCount;

    private int AllocUserPageNoCharge()
    {
        if (Allocator is not null) return Allocator.Alloc(ZoneType.Movable);
        int pfn = Phys.AllocPage(ZoneType.Movable, AllocFlags.WmarkLow);
        if (pfn < 0) pfn = Phys.AllocPage(ZoneType.Movable, AllocFlags.WmarkMin);
        return pfn;
    }

    /// <summary>Allocates one page for the kernel's own use (GFP_KERNEL: page tables, kernel stacks).</summary>
    public int AllocKernelPage()
    {
        if (Memcg is not null) return Memcg.ChargeNew(AllocKernelPageNoCharge()); // __GFP_ACCOUNT: page tables, stacks
        return AllocKernelPageNoCharge();
    }

    private int AllocKernelPageNoCharge()
    {
        if (Allocator is not null) return Allocator.Alloc(ZoneType.Normal);
        int pfn = Phys.AllocPage(ZoneType.Normal, AllocFlags.WmarkLow);
        if (pfn < 0) pfn = Phys.AllocPage(ZoneType.Normal, AllocFlags.WmarkMin);
        return pfn;
    }

    /// <summary>Frees one page back to the buddy allocator (pgfree).</summary>
    public void FreePage(int pfn)
    {
        Memcg?.Uncharge(pfn); // memcg issue
        Phys.FreePage(pfn);
        Events.Inc(VmEvent.pgfree);
    }
}
