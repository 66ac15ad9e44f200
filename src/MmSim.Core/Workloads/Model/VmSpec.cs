namespace MmSim.Workloads;

/// <summary>
/// The <c>vm:</c> section: the kernel's memory tunables under their sysctl names (/proc/sys/vm/*), plus
/// <c>fault_around_bytes</c> (debugfs) and <c>read_ahead_kb</c> (/sys/block/*/queue). Defaults are Linux's.
/// </summary>
public sealed class VmSpec
{
    /// <summary><c>min_free_kbytes</c>; null (<c>auto</c>) = the kernel's formula, sqrt(lowmem_kbytes * 16)
    /// clamped to 128..262144 (mm/page_alloc.c, calculate_min_free_kbytes).</summary>
    public long? MinFreeKbytes { get; set; }

    /// <summary><c>watermark_scale_factor</c>, 1..3000, in units of 0.01% of memory. Default 10.</summary>
    public int WatermarkScaleFactor { get; set; } = 10;

    /// <summary><c>lowmem_reserve_ratio</c>, one ratio per zone (DMA, DMA32, Normal, Movable); 0 = no reserve.</summary>
    public int[] LowmemReserveRatio { get; set; } = [256, 256, 32, 0];

    /// <summary><c>swappiness</c>, 0..200. Default 60.</summary>
    public int Swappiness { get; set; } = 60;

    /// <summary><c>overcommit_memory</c>: 0 heuristic, 1 always, 2 never (strict accounting).</summary>
    public int OvercommitMemory { get; set; }

    /// <summary><c>overcommit_ratio</c> (percent of RAM counted by mode 2), default 50.</summary>
    public int OvercommitRatio { get; set; } = 50;

    /// <summary><c>overcommit_kbytes</c>: when non-zero, used by mode 2 instead of the ratio.</summary>
    public long OvercommitKbytes { get; set; }

    /// <summary><c>dirty_ratio</c>, 0..100: percent of available memory dirty before writers are throttled.</summary>
    public int DirtyRatio { get; set; } = 20;

    /// <summary><c>dirty_background_ratio</c>, 0..100: percent dirty before background writeback starts.</summary>
    public int DirtyBackgroundRatio { get; set; } = 10;

    /// <summary><c>panic_on_oom</c>, 0..2. Default 0 (kill a process instead).</summary>
    public int PanicOnOom { get; set; }

    /// <summary><c>oom_dump_tasks</c>, 0 or 1. Default 1 (the OOM report lists every task).</summary>
    public int OomDumpTasks { get; set; } = 1;

    /// <summary><c>dirty_expire_centisecs</c> (default 3000) and <c>dirty_writeback_centisecs</c> (default 500).</summary>
    public int DirtyExpireCentisecs { get; set; } = 3000;
    public int DirtyWritebackCentisecs { get; set; } = 500;

    /// <summary><c>oom_kill_allocating_task</c>, 0 or 1.</summary>
    public int OomKillAllocatingTask { get; set; }

    /// <summary><c>page_cluster</c>, 0..31: swap readahead reads 2^page_cluster pages. Default 3.</summary>
    public int PageCluster { get; set; } = 3;

    /// <summary><c>fault_around_bytes</c>: a power of two from the page size to 512 pages; equal to the page size
    /// disables fault-around. Default 65536.</summary>
    public long FaultAroundBytes { get; set; } = 65536;

    /// <summary><c>read_ahead_kb</c>: the largest readahead window of the disk, in KiB. Default 128.</summary>
    public int ReadAheadKb { get; set; } = 128;

    public int Line { get; set; }
}
