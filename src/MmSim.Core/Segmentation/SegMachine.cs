using MmSim.Machine;
using MmSim.Workloads;

namespace MmSim.Segmentation;

/// <summary>
/// The textbook's segmented machines, a model of their own beside the paging <see cref="Kernel"/> (docs/translate.md):
/// under <c>translation: segmentation</c> each process has a segment table (base, limit, protection), segments are
/// variable partitions of physical memory placed by the machine's fit policy, compacted on demand, and swapped to
/// disk whole when memory is short; under <c>segmented_paging</c> each segment has its own page table and its pages
/// fault in lazily. One CPU runs one step of the process that has been ready longest (ties: scenario order); I/O
/// (swapping) blocks only the process that waits for it. Deterministic: no randomness at all.
/// </summary>
public sealed partial class SegMachine
{
    private readonly List<SegProcess> _processes = [];
    private readonly ISegmentMemory _memory;
    private long _cpu, _io;
    private long _clock;

    public SegMachine(Scenario scenario)
    {
        if (!scenario.Machine.IsSegmented)
            throw new ArgumentException($"translation {scenario.Machine.Translation} is not segmented; use SimMachine");
        Scenario = scenario;
        Contiguous = scenario.Machine.Translation == "segmentation";
        Ram = new byte[scenario.Machine.MemoryBytes];
        _memory = Contiguous ? new ContiguousMemory(this) : new PagedSegments(this);
        foreach (var spec in scenario.Processes) _processes.Add(new SegProcess(spec));
        Sample("boot");
    }

    public Scenario Scenario { get; }
    public MachineSpec Spec => Scenario.Machine;
    /// <summary>True under segmentation (variable partitions), false under segmented paging (frames).</summary>
    public bool Contiguous { get; }
    /// <summary>Every byte of physical memory.</summary>
    public byte[] Ram { get; }
    public IReadOnlyList<SegProcess> Processes => _processes;
    public EventLog Log { get; } = new();
    public SegCounters Counters { get; } = new();
    /// <summary>External fragmentation after every change of the memory map (segmentation only).</summary>
    public List<FragSample> FragmentationTimeline { get; } = [];
    public long NowNs { get; private set; }

    /// <summary>Segmentation: the partitions and holes. Null under segmented paging.</summary>
    public VariablePartitions? Partitions => (_memory as ContiguousMemory)?.Parts;
    /// <summary>Segmented paging: the frames, who holds them. Null under segmentation.</summary>
    public PagedSegments? Frames => _memory as PagedSegments;
    public long SwapUsedBytes => _memory.SwapUsedBytes;

    public FragmentationStats Fragmentation =>
        Partitions?.Fragmentation ?? new FragmentationStats(Frames!.FreeFrames * Spec.PageSize, Frames.FreeFrames > 0 ? Spec.PageSize : 0, 0);

    public SegProcess Process(int pid) => _processes.Find(p => p.Pid == pid)
        ?? throw new ArgumentException($"no process {pid}");

    public void Run()
    {
        PlacePinned();
        while (true)
        {
            SegProcess? next = null;
            foreach (var p in _processes)
                if (!p.IsDone && (next is null || p.ReadyAt < next.ReadyAt)) next = p;
            if (next is null) break;
            NowNs = Math.Max(NowNs, next.ReadyAt);
            var step = next.NextStep();
            if (step is null)
            {
                next.IsDone = true;
                next.EndNs = NowNs;
                continue;
            }
            _cpu = _io = 0;
            long sleep = Execute(next, step);
            NowNs += _cpu;
            next.CpuNs += _cpu;
            next.IoWaitNs += _io;
            next.ReadyAt = NowNs + _io + sleep;
            if (next.IsDone) next.EndNs = NowNs;
        }
    }

    /// <summary>The pinned segments first (their bases are fixed), then the others of <c>segments:</c>, by policy.</summary>
    private void PlacePinned()
    {
        foreach (var p in _processes)
            Event(EventTypes.Start, p.Pid, $"{p.Name} starts with {p.Spec.Segments.Count} segment{(p.Spec.Segments.Count == 1 ? "" : "s")}");
        foreach (bool pinned in new[] { true, false })
            foreach (var p in _processes)
                foreach (var s in p.Spec.Segments)
                    if ((s.Base is not null) == pinned && !p.IsDone)
                        CreateSegment(p, s.Id, s.Limit, s.Prot, s.Base);
    }

    /// <summary>Runs one step; returns how long the process then sleeps.</summary>
    private long Execute(SegProcess p, Step step)
    {
        switch (step)
        {
            case SegmentStep s:
                _cpu += Spec.Latency.MinorFaultNs;
                if (p.Segments.ContainsKey(s.Id))
                    Event(SegEventTypes.Step, p.Pid, $"segment {s.Id} already exists; the request is ignored");
                else CreateSegment(p, s.Id, s.SizeBytes, s.Prot, null);
                return 0;
            case SegmentAccessStep a:
                if (Access(p, a.Segment, a.Offset, a.Access, a.Value) is var phys and >= 0)
                    Event(SegEventTypes.Access, p.Pid, $"segment {a.Segment}, offset {a.Offset} -> physical {phys}" +
                        (a.Access == SegmentAccess.Write ? $" (write {a.Value})" : a.Access == SegmentAccess.Execute ? " (exec)" : $" (read {Ram[phys]})"));
                return 0;
            case SegmentTouchStep t:
                if (!p.Segments.TryGetValue(t.Segment, out var seg)) { Access(p, t.Segment, 0, SegmentAccess.Read, 0); return 0; }
                for (long off = 0; off < seg.Limit && !p.IsDone; off += t.StrideBytes)
                    Access(p, t.Segment, off, t.Write ? SegmentAccess.Write : SegmentAccess.Read, (byte)off);
                return 0;
            case SegmentFreeStep f:
                if (p.Segments.Remove(f.Segment, out var gone))
                {
                    _memory.Release(p, gone);
                    Counters.SegmentFrees++;
                    Event(SegEventTypes.Free, p.Pid, $"segment {f.Segment} ({gone.Limit} bytes) freed");
                    Sample($"pid {p.Pid} frees segment {f.Segment}");
                }
                else Event(SegEventTypes.Step, p.Pid, $"free: segment {f.Segment} does not exist; nothing to free");
                return 0;
            case CompactStep:
                ((ContiguousMemory)_memory).Compact($"pid {p.Pid} asks for compaction");
                return 0;
            case SleepStep sl:
                return sl.DurationNs;
            case ExitStep e:
                Exit(p, e.Code);
                return 0;
            default:
                throw new InvalidOperationException($"step {step.Kind} under {Spec.Translation}");
        }
    }

    private void CreateSegment(SegProcess p, int id, long size, SegmentAccess prot, long? pinnedBase)
    {
        var e = new SegEntry { Id = id, Limit = size, Prot = prot, LastUse = ++_clock };
        if (_memory.Create(p, e, pinnedBase, out string? why))
        {
            p.Segments[id] = e;
            Counters.SegmentAllocs++;
            string where = Contiguous
                ? $"at base {e.Base}{(pinnedBase is null ? $" ({VariablePartitions.Name(Spec.Placement)})" : " (pinned)")}"
                : $"with a page table of {e.PageTable!.Length} entries (pages fault in on first access)";
            Event(SegEventTypes.Segment, p.Pid, $"segment {id}: {size} bytes {Segment.Letters(prot)} {where}");
            Sample($"pid {p.Pid} segment {id}");
        }
        else
        {
            Counters.SegmentAllocFailures++;
            Event(EventTypes.AllocFail, p.Pid, $"segment {id}: {size} bytes cannot be placed: {why}");
        }
    }

    /// <summary>One access to (segment, offset): the checks of the segment table, then the bytes.</summary>
    private long Access(SegProcess p, int id, long offset, SegmentAccess how, byte value)
    {
        p.Accesses++;
        Counters.Accesses++;
        // A segmented-paging access reads the segment's page table, then the byte (no TLB in this model).
        _cpu += Contiguous ? Spec.Latency.AccessNs : 2 * Spec.Latency.AccessNs;
        if (!p.Segments.TryGetValue(id, out var e)) { Trap(p, id, offset, SegmentFault.NotPresent, $"segment {id} is not in the segment table"); return -1; }
        if (offset >= e.Limit) { Trap(p, id, offset, SegmentFault.Limit, $"offset {offset} is not below the limit {e.Limit}"); return -1; }
        if ((how & ~e.Prot) != 0)
        {
            Trap(p, id, offset, SegmentFault.Protection, $"{Segment.Letters(how)} access to a {Segment.Letters(e.Prot)} segment");
            return -1;
        }
        long phys = _memory.Resolve(p, e, offset, out string? why);
        if (phys < 0)
        {
            Kill(p, "SIGKILL", $"out of memory: {why}");
            return -1;
        }
        e.LastUse = ++_clock;
        if (how == SegmentAccess.Write) Ram[phys] = value;
        return phys;
    }

    private void Trap(SegProcess p, int id, long offset, SegmentFault fault, string why)
    {
        p.Traps++;
        Counters.Traps++;
        string reason = $"segment {id}, offset {offset}: {why} (trap: {SegmentTranslation.Name(fault)})";
        Event(EventTypes.Segv, p.Pid, reason);
        Kill(p, "SIGSEGV", reason);
    }

    private void Kill(SegProcess p, string signal, string reason)
    {
        p.Signal = signal;
        p.Reason = reason;
        Event(EventTypes.Killed, p.Pid, $"{p.Name} killed by {signal}");
        ReleaseAll(p, SegTaskState.Killed);
    }

    private void Exit(SegProcess p, int code)
    {
        Event(EventTypes.Exit, p.Pid, $"{p.Name} exits with status {code}");
        ReleaseAll(p, SegTaskState.Exited);
    }

    private void ReleaseAll(SegProcess p, SegTaskState state)
    {
        foreach (var e in p.Segments.Values) _memory.Release(p, e);
        bool had = p.Segments.Count > 0;
        p.Segments.Clear();
        p.State = state;
        p.IsDone = true;
        if (had) Sample($"pid {p.Pid} {(state == SegTaskState.Exited ? "exits" : "is killed")}");
    }

    // Services for the memory models.
    internal void ChargeCpu(long ns) => _cpu += ns;
    internal void Wait(long ns) => _io += ns;
    internal long Tick() => ++_clock;
    internal void Event(string type, int pid, string message) => Log.Add(NowNs + _cpu, type, pid, message);

    internal void Sample(string cause)
    {
        if (Partitions is not { } parts) return;
        var f = parts.Fragmentation;
        FragmentationTimeline.Add(new FragSample(NowNs + _cpu, cause, f.FreeBytes, f.LargestHole, f.Holes));
    }
}
