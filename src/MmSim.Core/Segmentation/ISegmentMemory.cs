namespace MmSim.Segmentation;

/// <summary>Where the segments of a <see cref="SegMachine"/> live: variable partitions (segmentation) or frames
/// reached through a page table per segment (segmented paging).</summary>
internal interface ISegmentMemory
{
    /// <summary>Gives a new segment its memory (a partition, or an empty page table); false with the reason when
    /// it cannot.</summary>
    bool Create(SegProcess p, SegEntry e, long? pinnedBase, out string? why);

    /// <summary>Gives back the segment's memory and swap space.</summary>
    void Release(SegProcess p, SegEntry e);

    /// <summary>The physical address of (segment, offset), after bringing the bytes in (swap-in, page fault);
    /// −1 with the reason when no memory can be found for them.</summary>
    long Resolve(SegProcess p, SegEntry e, long offset, out string? why);

    /// <summary>The physical address if the byte is in memory now, else null (no side effect).</summary>
    long? Peek(SegEntry e, long offset);

    long SwapUsedBytes { get; }
}
