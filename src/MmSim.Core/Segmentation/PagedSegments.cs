namespace MmSim.Segmentation;

/// <summary>
/// Segmented paging's physical memory: page frames, any of which can hold any page, so no external
/// fragmentation. A segment gets a page table of ⌈limit / page size⌉ entries and no frame; the first access to a
/// page faults it in (a zero-filled frame, the lowest free one; <c>latency.minor_fault</c>). With no free frame,
/// the least recently used page of any segment is written to swap (<c>swap_write</c>) and read back on its next
/// access (<c>swap_read</c>); with no swap left the faulting process is killed.
/// </summary>
public sealed class PagedSegments : ISegmentMemory
{
    private readonly SegMachine _m;
    private readonly int _pageSize;
    private readonly SegEntry?[] _owner;
    private readonly int[] _ownerPid;
    private readonly int[] _page;
    private readonly long[] _use;
    private readonly long _swapSlots;
    private long _swapUsed;

    internal PagedSegments(SegMachine m)
    {
        _m = m;
        _pageSize = m.Spec.PageSize;
        long frames = m.Spec.MemoryBytes / _pageSize;
        _owner = new SegEntry?[frames];
        _ownerPid = new int[frames];
        _page = new int[frames];
        _use = new long[frames];
        _swapSlots = m.Spec.SwapBytes / _pageSize;
    }

    public int FrameCount => _owner.Length;
    public long FreeFrames => _owner.Count(o => o is null);
    public long SwapUsedBytes => _swapUsed * _pageSize;

    /// <summary>The holder of a frame: (pid, segment, page), or null when free.</summary>
    public (int Pid, int Segment, int Page)? Holder(long frame) =>
        _owner[frame] is { } e ? (_ownerPid[frame], e.Id, _page[frame]) : null;

    public bool Create(SegProcess p, SegEntry e, long? pinnedBase, out string? why)
    {
        long pages = (e.Limit + _pageSize - 1) / _pageSize;
        e.PageTable = new long[pages];
        Array.Fill(e.PageTable, SegEntry.NotTouched);
        e.SwappedPages = new byte[pages][];
        why = null;
        return true;
    }

    public void Release(SegProcess p, SegEntry e)
    {
        var table = e.PageTable!;
        for (int i = 0; i < table.Length; i++)
        {
            if (table[i] >= 0)
            {
                Array.Clear(_m.Ram, (int)(table[i] * _pageSize), _pageSize);
                _owner[table[i]] = null;
            }
            else if (table[i] == SegEntry.OnSwap) _swapUsed--;
            table[i] = SegEntry.NotTouched;
        }
        Array.Clear(e.SwappedPages!);
    }

    public long? Peek(SegEntry e, long offset)
    {
        long frame = e.PageTable![offset / _pageSize];
        return frame >= 0 ? frame * _pageSize + offset % _pageSize : null;
    }

    public long Resolve(SegProcess p, SegEntry e, long offset, out string? why)
    {
        why = null;
        int page = (int)(offset / _pageSize);
        long frame = e.PageTable![page];
        if (frame < 0)
        {
            bool fromSwap = frame == SegEntry.OnSwap;
            frame = FreeFrame(out why);
            if (frame < 0) return -1;
            p.PageFaults++;
            _m.Counters.PgFault++;
            _owner[frame] = e;
            _ownerPid[frame] = p.Pid;
            _page[frame] = page;
            e.PageTable[page] = frame;
            if (fromSwap)
            {
                e.SwappedPages![page]!.CopyTo(_m.Ram, frame * _pageSize);
                e.SwappedPages[page] = null;
                _swapUsed--;
                _m.Counters.PswpIn++;
                _m.Wait(_m.Spec.Latency.SwapReadNs);
                _m.Event(SegEventTypes.SwapIn, p.Pid, $"segment {e.Id} page {page} swapped in to frame {frame}");
            }
            else
            {
                _m.ChargeCpu(_m.Spec.Latency.MinorFaultNs);
                _m.Event(SegEventTypes.PageFault, p.Pid, $"segment {e.Id} page {page}: page fault, zeroed frame {frame}");
            }
        }
        _use[frame] = _m.Tick();
        return frame * _pageSize + offset % _pageSize;
    }

    /// <summary>The lowest free frame, or the frame of the least recently used page once that page is on swap.</summary>
    private long FreeFrame(out string? why)
    {
        why = null;
        long victim = -1;
        for (long f = 0; f < _owner.Length; f++)
        {
            if (_owner[f] is null) return f;
            if (victim < 0 || _use[f] < _use[victim]) victim = f;
        }
        if (_swapUsed >= _swapSlots)
        {
            why = _swapSlots == 0 ? $"all {_owner.Length} frames are in use and there is no swap" : $"all {_owner.Length} frames and all swap are in use";
            return -1;
        }
        var e = _owner[victim]!;
        int page = _page[victim];
        e.SwappedPages![page] = _m.Ram.AsSpan((int)(victim * _pageSize), _pageSize).ToArray();
        Array.Clear(_m.Ram, (int)(victim * _pageSize), _pageSize);
        e.PageTable![page] = SegEntry.OnSwap;
        _owner[victim] = null;
        _swapUsed++;
        _m.Counters.PswpOut++;
        _m.Wait(_m.Spec.Latency.SwapWriteNs);
        _m.Event(SegEventTypes.SwapOut, _ownerPid[victim], $"segment {e.Id} page {page} swapped out from frame {victim}");
        return victim;
    }

    /// <summary>Bytes of the last page of each segment beyond its limit, summed over the live segments.</summary>
    public static long InternalFragmentation(IEnumerable<SegProcess> processes, int pageSize) =>
        processes.SelectMany(p => p.Segments.Values).Sum(e => (e.Limit + pageSize - 1) / pageSize * pageSize - e.Limit);
}
