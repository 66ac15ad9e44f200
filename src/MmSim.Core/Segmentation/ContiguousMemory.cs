namespace MmSim.Segmentation;

/// <summary>
/// Pure segmentation's physical memory: each resident segment is one partition [base, base + limit). A new
/// segment (or one coming back from swap) goes into a hole chosen by the fit policy; when no hole is big enough,
/// the memory is compacted if <c>compaction: auto</c> and the free memory in total would do, else whole segments
/// are swapped out, least recently used first, until a hole fits (each write one disk I/O of
/// <c>latency.swap_write</c>; the read back on the next access one of <c>swap_read</c>).
/// </summary>
internal sealed class ContiguousMemory(SegMachine m) : ISegmentMemory
{
    public VariablePartitions Parts { get; } = new(m.Spec.MemoryBytes, m.Spec.Placement);
    private readonly Dictionary<string, (SegProcess P, SegEntry E)> _owners = new();
    private long _swapUsed;

    public long SwapUsedBytes => _swapUsed;

    private static string Key(SegProcess p, SegEntry e) => $"{p.Pid}:{e.Id}";

    public bool Create(SegProcess p, SegEntry e, long? pinnedBase, out string? why)
    {
        if (pinnedBase is long b)
        {
            // The validator checked that pinned segments fit and do not overlap; they are placed before any other.
            if (!Parts.AllocateAt(Key(p, e), b, e.Limit)) throw new InvalidOperationException($"pinned segment {e.Id} at {b} overlaps");
            e.Base = b;
            _owners[Key(p, e)] = (p, e);
            why = null;
            return true;
        }
        return Place(p, e, out why);
    }

    private bool Place(SegProcess p, SegEntry e, out string? why)
    {
        while (true)
        {
            if (Parts.Allocate(Key(p, e), e.Limit) is long at)
            {
                e.Base = at;
                _owners[Key(p, e)] = (p, e);
                why = null;
                return true;
            }
            var f = Parts.Fragmentation;
            if (m.Spec.AutoCompaction && f.FreeBytes >= e.Limit)
            {
                Compact($"no hole of {e.Limit} bytes for segment {e.Id} of pid {p.Pid}");
                continue;
            }
            if (!SwapOutVictim(e))
            {
                string frag = f.FreeBytes >= e.Limit
                    ? $"free {f.FreeBytes} bytes in {f.Holes} holes but the largest is {f.LargestHole} (external fragmentation)"
                    : $"free {f.FreeBytes} bytes in {f.Holes} holes, largest {f.LargestHole}";
                string swap = m.Spec.SwapBytes == 0 ? "no swap" : "no segment can be swapped out";
                why = $"{frag}; {swap}";
                return false;
            }
        }
    }

    /// <summary>Writes the least recently used resident segment (other than <paramref name="keep"/>) to swap.</summary>
    private bool SwapOutVictim(SegEntry keep)
    {
        (SegProcess P, SegEntry E)? victim = null;
        foreach (var o in _owners.Values)
        {
            if (ReferenceEquals(o.E, keep) || _swapUsed + o.E.Limit > m.Spec.SwapBytes) continue;
            if (victim is null || o.E.LastUse < victim.Value.E.LastUse) victim = o;
        }
        if (victim is not var (p, e)) return false;
        long at = e.Base;
        e.Disk = m.Ram.AsSpan((int)at, (int)e.Limit).ToArray();
        Array.Clear(m.Ram, (int)at, (int)e.Limit);
        Parts.Free(Key(p, e));
        _owners.Remove(Key(p, e));
        e.Base = -1;
        _swapUsed += e.Limit;
        m.Counters.SegmentSwapOuts++;
        m.Counters.SwapBytesOut += e.Limit;
        m.Wait(m.Spec.Latency.SwapWriteNs);
        m.Event(SegEventTypes.SwapOut, p.Pid, $"segment {e.Id} ({e.Limit} bytes) swapped out from [{at}, {at + e.Limit})");
        m.Sample($"pid {p.Pid} segment {e.Id} swapped out");
        return true;
    }

    public void Release(SegProcess p, SegEntry e)
    {
        if (e.Swapped)
        {
            _swapUsed -= e.Limit;
            e.Disk = null;
            return;
        }
        Array.Clear(m.Ram, (int)e.Base, (int)e.Limit);
        Parts.Free(Key(p, e));
        _owners.Remove(Key(p, e));
        e.Base = -1;
    }

    public long Resolve(SegProcess p, SegEntry e, long offset, out string? why)
    {
        why = null;
        if (!e.Swapped) return e.Base + offset;
        // The segment-not-present trap the kernel serves: room for the whole segment, then one read from swap.
        var disk = e.Disk!;
        e.Disk = null; // not a victim candidate while it comes in
        if (!Place(p, e, out why))
        {
            e.Disk = disk;
            return -1;
        }
        disk.CopyTo(m.Ram, e.Base);
        _swapUsed -= e.Limit;
        m.Counters.SegmentSwapIns++;
        m.Counters.SwapBytesIn += e.Limit;
        m.Wait(m.Spec.Latency.SwapReadNs);
        m.Event(SegEventTypes.SwapIn, p.Pid, $"segment {e.Id} ({e.Limit} bytes) swapped in at base {e.Base}");
        m.Sample($"pid {p.Pid} segment {e.Id} swapped in");
        return e.Base + offset;
    }

    public long? Peek(SegEntry e, long offset) => e.Swapped ? null : e.Base + offset;

    /// <summary>Slides every segment down in address order (memmove of its bytes), leaving one hole at the top;
    /// costs a read and a write of every 64-byte line moved.</summary>
    public void Compact(string cause)
    {
        var before = Parts.Partitions.Select(x => (x.Name, x.Base)).ToArray();
        long moved = Parts.Compact();
        int segs = 0;
        for (int i = 0; i < before.Length; i++)
        {
            var now = Parts.Partitions[i];
            if (now.Base == before[i].Base) continue;
            segs++;
            Array.Copy(m.Ram, before[i].Base, m.Ram, now.Base, now.Size);
            _owners[now.Name].E.Base = now.Base;
        }
        long top = Parts.Partitions.Count == 0 ? 0 : Parts.Partitions[^1].End;
        Array.Clear(m.Ram, (int)top, (int)(Parts.Size - top));
        m.Counters.Compactions++;
        m.Counters.CompactionBytesMoved += moved;
        m.ChargeCpu((moved + 63) / 64 * 2 * m.Spec.Latency.AccessNs);
        var f = Parts.Fragmentation;
        m.Event(SegEventTypes.Compact, 0,
            $"compaction ({cause}): moved {segs} segment{(segs == 1 ? "" : "s")}, {moved} bytes; free {f.FreeBytes} bytes in {f.Holes} hole{(f.Holes == 1 ? "" : "s")}");
        m.Sample("compaction");
    }
}
