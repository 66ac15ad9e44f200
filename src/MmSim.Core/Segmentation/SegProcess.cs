using MmSim.Workloads;

namespace MmSim.Segmentation;

/// <summary>One segment of a running process: its descriptor (limit, protection) and where its bytes are —
/// at <see cref="Base"/> in memory, or on the swap device. Under segmented paging, its own page table.</summary>
public sealed class SegEntry
{
    public required int Id { get; init; }
    public required long Limit { get; init; }
    public required SegmentAccess Prot { get; init; }

    /// <summary>Segmentation: the physical base while resident, −1 while swapped out.</summary>
    public long Base { get; set; } = -1;

    /// <summary>Segmentation: the whole segment's bytes while it is on the swap device.</summary>
    public byte[]? Disk { get; set; }

    public bool Swapped => Disk is not null;

    /// <summary>Least-recently-used stamp: the machine's access clock at the last use.</summary>
    public long LastUse { get; set; }

    /// <summary>Segmented paging: the segment's page table, one frame number per page; <see cref="NotTouched"/>
    /// until the first access, <see cref="OnSwap"/> while the page is on the swap device.</summary>
    public long[]? PageTable { get; set; }

    /// <summary>Segmented paging: the bytes of the pages that are on the swap device.</summary>
    public byte[]?[]? SwappedPages { get; set; }

    public const long NotTouched = -1, OnSwap = -2;
}

public enum SegTaskState { Running, Exited, Killed }

/// <summary>A process of a <see cref="SegMachine"/>: its segment table, where it is in its steps, its fate and
/// its counts.</summary>
public sealed class SegProcess
{
    internal SegProcess(ProcessSpec spec)
    {
        Spec = spec;
        _frames.Push(new Frame(spec.Steps, 1));
    }

    public ProcessSpec Spec { get; }
    public int Pid => Spec.Pid;
    public string Name => Spec.Name;

    /// <summary>The segment table, by segment number.</summary>
    public SortedDictionary<int, SegEntry> Segments { get; } = new();

    public SegTaskState State { get; internal set; }
    /// <summary>True once the process has no step left (it may still hold its segments) or has exited or been killed.</summary>
    public bool IsDone { get; internal set; }
    public string? Signal { get; internal set; }
    public string? Reason { get; internal set; }
    public long Accesses { get; internal set; }
    public long Traps { get; internal set; }
    public long PageFaults { get; internal set; }
    public long EndNs { get; internal set; }
    public long CpuNs { get; internal set; }
    public long IoWaitNs { get; internal set; }
    internal long ReadyAt { get; set; }

    private sealed class Frame(List<Step> steps, long times)
    {
        public readonly List<Step> Steps = steps;
        public int Index;
        public long Left = times;
    }

    private readonly Stack<Frame> _frames = new();

    /// <summary>The next step to run (repeats unrolled), or null at the end.</summary>
    internal Step? NextStep()
    {
        while (_frames.Count > 0)
        {
            var top = _frames.Peek();
            if (top.Index < top.Steps.Count)
            {
                var step = top.Steps[top.Index++];
                if (step is RepeatStep r)
                {
                    if (r.Times > 0 && r.Steps.Count > 0) _frames.Push(new Frame(r.Steps, r.Times));
                    continue;
                }
                return step;
            }
            if (--top.Left > 0) top.Index = 0;
            else _frames.Pop();
        }
        return null;
    }
}
