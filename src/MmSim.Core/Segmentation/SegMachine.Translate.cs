namespace MmSim.Segmentation;

/// <summary>Where (segment, offset) of a process is now, with the checks the hardware makes: under segmented
/// paging also the page, its offset and the frame.</summary>
public sealed record SegmentWalk(SegmentTranslation Result, long? Page, long? PageOffset, long? Frame, bool Swapped);

public sealed partial class SegMachine
{
    /// <summary>Translates (segment, offset) of <paramref name="pid"/> as the machine now stands, without side
    /// effects: the trap (not-present also for a swapped-out segment or a page not in memory), or the address.</summary>
    public SegmentWalk Translate(int pid, int segment, long offset, SegmentAccess access = SegmentAccess.Read)
    {
        var p = Process(pid);
        SegmentWalk Fault(SegmentFault f, bool swapped = false) => new(new(segment, offset, null, f), null, null, null, swapped);
        if (!p.Segments.TryGetValue(segment, out var e)) return Fault(SegmentFault.NotPresent);
        if (offset < 0 || offset >= e.Limit) return Fault(SegmentFault.Limit);
        if ((access & ~e.Prot) != 0) return Fault(SegmentFault.Protection);
        long? phys = _memory.Peek(e, offset);
        if (Contiguous)
            return phys is long a ? new(new(segment, offset, a, null), null, null, null, false) : Fault(SegmentFault.NotPresent, swapped: true);
        long page = offset / Spec.PageSize, within = offset % Spec.PageSize;
        bool onSwap = e.PageTable![page] == SegEntry.OnSwap;
        return phys is long b
            ? new(new(segment, offset, b, null), page, within, b / Spec.PageSize, false)
            : new(new(segment, offset, null, SegmentFault.NotPresent), page, within, null, onSwap);
    }

    /// <summary>The byte at (segment, offset) of <paramref name="pid"/>, wherever it is now (memory or swap).</summary>
    public byte Peek(int pid, int segment, long offset)
    {
        var e = Process(pid).Segments[segment];
        if (_memory.Peek(e, offset) is long a) return Ram[a];
        if (Contiguous) return e.Disk![offset];
        var page = e.SwappedPages![offset / Spec.PageSize];
        return page is null ? (byte)0 : page[offset % Spec.PageSize];
    }
}
