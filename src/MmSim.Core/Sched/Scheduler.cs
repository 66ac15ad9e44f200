namespace MmSim.Sched;

/// <summary>
/// The discrete-event loop: a priority queue of (time, sequence) events drives tasks through round-robin time
/// slices on <c>cpus</c> CPUs. A task that blocks (a major fault's I/O, a sleep) leaves its CPU and is queued again
/// when it wakes. The sequence number breaks ties, so a run is deterministic. A slice is executed when it is
/// dispatched (its effects are applied at its start time), which keeps the loop simple and exact on one CPU.
/// </summary>
public sealed class Scheduler
{
    private enum Kind : byte { Ready, CpuFree, Sample }

    private readonly PriorityQueue<(Kind Kind, int Target), (long Time, long Seq)> _queue = new();
    private readonly Queue<SimTask> _ready = new();
    private readonly List<SimTask> _tasks;
    private readonly StepExecutor _exec;
    private readonly long _sliceNs;
    private readonly bool[] _cpuBusy;
    private readonly SimTask?[] _lastOnCpu;
    private long _seq;
    private readonly long _sampleIntervalNs;
    private readonly Action<long>? _sample;
    private readonly Func<SimTask, long, bool> _spawn;

    public long Now { get; private set; }
    public long ContextSwitches { get; private set; }

    public Scheduler(List<SimTask> tasks, StepExecutor exec, int cpus, long sliceNs,
        Func<SimTask, long, bool> spawn, long sampleIntervalNs, Action<long>? sample)
    {
        _tasks = tasks;
        _exec = exec;
        _sliceNs = sliceNs;
        _cpuBusy = new bool[Math.Max(1, cpus)];
        _lastOnCpu = new SimTask?[_cpuBusy.Length];
        _spawn = spawn;
        _sampleIntervalNs = sampleIntervalNs;
        _sample = sample;
    }

    private void Push(long time, Kind kind, int target) => _queue.Enqueue((kind, target), (time, _seq++));

    /// <summary>Runs until every task has exited or been killed; returns the simulated end time.</summary>
    public long Run(Action? onSlice = null)
    {
        for (int i = 0; i < _tasks.Count; i++) Push(_tasks[i].Spec.StartAtNs, Kind.Ready, i);
        if (_sampleIntervalNs > 0 && _sample is not null) Push(0, Kind.Sample, 0);
        int live = _tasks.Count;
        while (_queue.TryDequeue(out var ev, out var key))
        {
            Now = key.Time;
            switch (ev.Kind)
            {
                case Kind.Sample:
                    _sample!(Now);
                    if (live > 0) Push(Now + _sampleIntervalNs, Kind.Sample, 0);
                    break;
                case Kind.Ready:
                {
                    var t = _tasks[ev.Target];
                    if (t.State == TaskState.NotStarted && !_spawn(t, Now)) { live--; break; }
                    if (t.IsDone) break;
                    t.State = TaskState.Runnable;
                    _ready.Enqueue(t);
                    DispatchIdle();
                    break;
                }
                case Kind.CpuFree:
                    _cpuBusy[ev.Target] = false;
                    DispatchIdle();
                    break;
            }
            live = CountLive();
            if (live == 0 && _queue.Count > 0 && OnlySamplesLeft()) break;
            onSlice?.Invoke();
        }
        if (_sample is not null && _sampleIntervalNs > 0) _sample(Now);
        return Now;
    }

    private int CountLive()
    {
        int n = 0;
        foreach (var t in _tasks) if (!t.IsDone) n++;
        return n;
    }

    private bool OnlySamplesLeft()
    {
        foreach (var (e, _) in _queue.UnorderedItems) if (e.Kind != Kind.Sample) return false;
        return true;
    }

    private void DispatchIdle()
    {
        for (int cpu = 0; cpu < _cpuBusy.Length && _ready.Count > 0; cpu++)
        {
            if (_cpuBusy[cpu]) continue;
            var t = _ready.Dequeue();
            if (t.IsDone) { cpu--; continue; }
            if (!ReferenceEquals(_lastOnCpu[cpu], t))
            {
                // No PCID: switching address spaces flushes the TLB (switch_mm_irqs_off → CR3 write).
                if (_lastOnCpu[cpu] is not null) { t.Mm.Tlb.FlushAll(); ContextSwitches++; }
                _lastOnCpu[cpu] = t;
            }
            _cpuBusy[cpu] = true;
            var r = _exec.RunSlice(t, Now, _sliceNs);
            switch (r.End)
            {
                case SliceEnd.Preempted:
                    Push(r.EndNs, Kind.Ready, _tasks.IndexOf(t));
                    break;
                case SliceEnd.Blocked:
                    t.State = TaskState.Blocked;
                    Push(r.WakeNs, Kind.Ready, _tasks.IndexOf(t));
                    break;
            }
            Push(r.EndNs, Kind.CpuFree, cpu);
        }
    }
}
