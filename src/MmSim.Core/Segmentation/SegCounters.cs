namespace MmSim.Segmentation;

/// <summary>The segmented machine's counters (reported under "counters"). The page counts of segmented paging
/// use Linux's vmstat names (pgfault, pswpin, pswpout); the segment counts are the textbook's.</summary>
public sealed class SegCounters
{
    public long Accesses;
    public long Traps;
    public long SegmentAllocs;
    /// <summary>Segment requests no hole could satisfy (even after compaction and swapping, if enabled).</summary>
    public long SegmentAllocFailures;
    public long SegmentFrees;
    public long Compactions;
    public long CompactionBytesMoved;
    /// <summary>Whole segments written to the swap device and read back.</summary>
    public long SegmentSwapOuts, SegmentSwapIns;
    public long SwapBytesOut, SwapBytesIn;
    /// <summary>Segmented paging: page faults, and pages swapped in and out.</summary>
    public long PgFault, PswpIn, PswpOut;
}

/// <summary>External fragmentation after a change of the memory map (segmentation).</summary>
public readonly record struct FragSample(long TimeNs, string Cause, long FreeBytes, long LargestHole, int Holes);
