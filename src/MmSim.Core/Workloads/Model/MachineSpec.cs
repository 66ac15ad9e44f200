namespace MmSim.Workloads;

/// <summary>The <c>machine:</c> section: the hardware and the boot-time choices.</summary>
public sealed class MachineSpec
{
    public const long DefaultMemoryBytes = 1L << 30;

    /// <summary>Installed RAM (<c>memory</c>), a positive multiple of the page size. Default 1 GiB.</summary>
    public long MemoryBytes { get; set; } = DefaultMemoryBytes;

    /// <summary>Base page size (<c>page_size</c>): a power of two from 4 KiB to 64 KiB. Default 4 KiB.</summary>
    public int PageSize { get; set; } = 4096;

    /// <summary>Paging mode (<c>translation</c>): <c>x86_64</c> (4-level, 48-bit, the default) or
    /// <c>x86_64_la57</c> (5-level, 57-bit; 4 KiB pages only); <c>segmentation</c> or <c>segmented_paging</c> (the
    /// textbook models, docs/scenario-format.md).</summary>
    public string Translation { get; set; } = "x86_64";

    /// <summary>Size of the swap device (<c>swap</c>), a multiple of the page size; 0 = no swap (the default).</summary>
    public long SwapBytes { get; set; }

    /// <summary>Memory the kernel keeps for itself at boot (<c>kernel_reserved</c>: its image, the frame table...);
    /// null (<c>auto</c>, the default) lets the simulator choose.</summary>
    public long? KernelReservedBytes { get; set; }

    /// <summary>The kernel's own memory in use when the scenario starts (<c>kernel_memory:</c>). Default none.</summary>
    public KernelMemorySpec KernelMemory { get; set; } = new();

    /// <summary>Number of CPUs (<c>cpus</c>), 1..1024. Default 1.</summary>
    public int Cpus { get; set; } = 1;

    /// <summary>/sys/kernel/mm/transparent_hugepage/enabled (<c>transparent_hugepage</c>): always, madvise or never.
    /// Default madvise (the usual distribution setting).</summary>
    public string TransparentHugepage { get; set; } = "madvise";

    /// <summary><c>kswapd_cpu</c>: <c>shared</c> — kswapd runs on the machine's CPUs and competes with the tasks
    /// for them, as the kernel's kthread does under CFS — or <c>own</c>: it runs beside the tasks, as on a CPU of
    /// its own (the model before the twin judged it; docs/reclaim.md).</summary>
    public string KswapdCpu { get; set; } = "own";

    /// <summary>Scheduler time slice (<c>time_slice</c>). Default 4 ms (CONFIG_HZ=250).</summary>
    public long TimeSliceNs { get; set; } = 4_000_000;

    /// <summary>Entries of the first-level TLB of each address space (<c>tlb_entries</c>), a power of two.
    /// Default 64 (an L1 dTLB).</summary>
    public int TlbEntries { get; set; } = 64;

    /// <summary>Associativity of the first-level TLB (<c>tlb_ways</c>): 1 = direct-mapped (the default),
    /// <c>tlb_entries</c> = fully associative; least recently used replaced within a set.</summary>
    public int TlbWays { get; set; } = 1;

    /// <summary>Entries of the second-level TLB (<c>tlb_l2_entries</c>); 0 = none (the default).</summary>
    public int TlbL2Entries { get; set; }

    /// <summary>Associativity of the second-level TLB (<c>tlb_l2_ways</c>). Default 1.</summary>
    public int TlbL2Ways { get; set; } = 1;

    /// <summary><c>pcid</c>: TLB entries tagged by address space, kept across context switches. Default false:
    /// a context switch flushes the TLB (a CR3 write without PCID).</summary>
    public bool Pcid { get; set; }

    /// <summary>Segmentation only (<c>placement</c>): how a segment is placed in a hole of physical memory.
    /// Default first fit.</summary>
    public Segmentation.FitPolicy Placement { get; set; } = Segmentation.FitPolicy.FirstFit;

    /// <summary>Segmentation only (<c>compaction: auto</c>): compact memory when a segment fits in the free memory
    /// but in no hole. Default <c>never</c> (only a <c>compact</c> step compacts).</summary>
    public bool AutoCompaction { get; set; }

    /// <summary><c>translation: segmentation</c> or <c>segmented_paging</c>: the machine of
    /// <see cref="Segmentation.SegMachine"/>, whose processes allocate segments instead of pages.</summary>
    public bool IsSegmented => Translation is "segmentation" or "segmented_paging";

    /// <summary>The cost model (<c>latency:</c>).</summary>
    public LatencySpec Latency { get; set; } = new();

    /// <summary>The CPU caches (<c>caches:</c>): null (the default) = none, every access costs
    /// <c>latency.access</c>; otherwise each user access goes through L1d/L1i, L2, L3 and costs the latency of the
    /// level that serves it (see docs/cache.md).</summary>
    public Cache.HierarchyConfig? Caches { get; set; }

    public int Line { get; set; }

    /// <summary>Number of page frames of RAM.</summary>
    public long Pages => MemoryBytes / PageSize;
}
