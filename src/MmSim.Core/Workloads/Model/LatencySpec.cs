namespace MmSim.Workloads;

/// <summary>
/// <c>machine.latency:</c>, the simulated cost of each event in nanoseconds. The defaults are round numbers of a
/// current x86-64 machine with an NVMe SSD; change them to see how the costs move, not to benchmark.
/// </summary>
public sealed class LatencySpec
{
    /// <summary><c>access</c>: one memory access that hits the TLB. Default 100 ns (a DRAM access).</summary>
    public long AccessNs { get; set; } = 100;

    /// <summary><c>tlb</c>: one TLB lookup, used only for the reported effective access time (<c>eat_ns</c>).
    /// Default 1 ns.</summary>
    public long TlbNs { get; set; } = 1;

    /// <summary><c>tlb_miss_per_level</c>: each page-table level read by the page walk after a TLB miss
    /// (4 levels on x86-64). Default 100 ns.</summary>
    public long TlbMissPerLevelNs { get; set; } = 100;

    /// <summary><c>minor_fault</c>: a page fault served without I/O (a zeroed page, the zero page, a page-cache
    /// hit, copy-on-write). Default 1 us.</summary>
    public long MinorFaultNs { get; set; } = 1_000;

    /// <summary><c>major_fault</c> (alias <c>disk_read</c>): reading one page from the disk. Default 100 us.</summary>
    public long MajorFaultNs { get; set; } = 100_000;

    /// <summary><c>disk_write</c>: writing one dirty page back to its file. Default 100 us.</summary>
    public long DiskWriteNs { get; set; } = 100_000;

    /// <summary><c>swap_read</c>: reading one page from swap (a swap-in). Default 100 us.</summary>
    public long SwapReadNs { get; set; } = 100_000;

    /// <summary><c>swap_write</c>: writing one page to swap (a swap-out). Default 100 us.</summary>
    public long SwapWriteNs { get; set; } = 100_000;

    public int Line { get; set; }
}
