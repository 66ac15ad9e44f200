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

    /// <summary><c>major_fault</c> (alias <c>disk_read</c>): one read request to the disk (a fault's page, or a
    /// read-ahead window). Default 100 us.</summary>
    public long MajorFaultNs { get; set; } = 100_000;

    /// <summary><c>disk_write</c>: one writeback request of dirty file pages. Default 100 us.</summary>
    public long DiskWriteNs { get; set; } = 100_000;

    /// <summary><c>swap_read</c>: one read request from swap (a swap-in and its read-around). Default 100 us.</summary>
    public long SwapReadNs { get; set; } = 100_000;

    /// <summary><c>swap_write</c>: one write request to swap (up to SWAP_CLUSTER_MAX pages of a reclaim batch; the
    /// device serves requests one after another). Default 100 us.</summary>
    public long SwapWriteNs { get; set; } = 100_000;

    /// <summary><c>syscall</c>: entering and leaving the kernel for a system call (mmap, munmap, read, write, ...).
    /// Default 500 ns.</summary>
    public long SyscallNs { get; set; } = 500;

    /// <summary><c>reclaim_scan</c>: reclaim's CPU work to isolate one page and check its references. Default 100 ns.</summary>
    public long ReclaimScanNs { get; set; } = 100;

    /// <summary><c>reclaim_free</c>: reclaim's CPU work to free one reclaimed page. Default 100 ns.</summary>
    public long ReclaimFreeNs { get; set; } = 100;

    /// <summary><c>swap_submit</c>: reclaim's CPU work to unmap one page, add it to the swap cache and submit its
    /// write (the write itself is asynchronous). Default 500 ns.</summary>
    public long SwapSubmitNs { get; set; } = 500;

    public int Line { get; set; }
}
