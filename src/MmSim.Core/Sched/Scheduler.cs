namespace MmSim.Sched;

/// <summary>
/// The discrete-event loop: a priority queue of (time, sequence) events drives tasks through round-robin time
/// slices on <c>cpus</c> CPUs. A task that blocks (a major fault's I/O, a sleep) leaves its CPU and is queued again
/// when it wakes. The sequence number breaks ties, so a run is deterministic. A slice is executed when it is
/// dispatched (its effects are applied at its start time), which keeps the loop simple and exact on one CPU.
/// </summary>
public sealed class Scheduler
{
    private enum Kind : byte { Ready, CpuFree, Sample, Thread }

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

    private readonly List<IKernelThread> _threads = new();
    private readonly List<bool> _threadQueued = new();
    private readonly List<long> _threadDue = new();
    private int _threadsQueued;

    /// <summary>While a kernel thread is runnable, task slices are cut to this, so that tasks and kernel
    /// threads interleave finely in simulated time.</summary>
    public const long KernelThreadQuantumNs = 100_000;

    public long Now { get; private set; }
    /// <summary>Stops the run (a kernel panic).</summary>
    public bool Halted { get; set; }

    /// <summary>Called once when the last process has ended (not after a panic), before the last sample.</summary>
    public Action? OnRunEnd { get; set; }

    /// <summary>Adds a task created while running (a forked child), runnable at <paramref name="at"/>.</summary>
    public void AddTask(SimTask task, long at)
    {
        _tasks.Add(task);
        Push(at, Kind.Ready, _tasks.Count - 1);
    }

    /// <summary>Registers a kernel thread; returns its handle for <see cref="Wake"/>.</summary>
    public int AddThread(IKernelThread thread)
    {
        _threads.Add(thread);
        _threadQueued.Add(false);
        _threadDue.Add(long.MaxValue);
        return _threads.Count - 1;
    }

    /// <summary>wake_up: the thread runs at <paramref name="at"/> unless it is already due to run.</summary>
    public void Wake(int thread, long at)
    {
        if (_threadQueued[thread] && _threadDue[thread] <= at) return;
        if (!_threadQueued[thread]) _threadsQueued++;
        _threadQueued[thread] = true;
        _threadDue[thread] = at;
        Push(at, Kind.Thread, thread); // an earlier wake-up supersedes a later one (which is then skipped)
    }
    public long ContextSwitches { get; private set; }
    /// <summary>With PCID the TLB entries are tagged by address space: a context switch keeps them.</summary>
    public bool Pcid { get; init; }

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
        _finishSeen = new bool[_tasks.Count];
        for (int i = 0; i < _tasks.Count; i++)
            if (_tasks[i].Spec.StartAfterIndex < 0) Push(_tasks[i].Spec.StartAtNs, Kind.Ready, i);
        if (_sampleIntervalNs > 0 && _sample is not null) Push(0, Kind.Sample, 0);
        int live = _tasks.Count;
        while (_queue.TryDequeue(out var ev, out var key))
        {
            Now = key.Time;
            if (Halted) break;
            switch (ev.Kind)
            {
                case Kind.Thread:
                {
                    if (!_threadQueued[ev.Target] || _threadDue[ev.Target] != key.Time) break; // superseded
                    _threadQueued[ev.Target] = false;
                    _threadDue[ev.Target] = long.MaxValue;
                    _threadsQueued--;
                    long next = _threads[ev.Target].Run(Now);
                    if (next >= 0) Wake(ev.Target, Math.Max(next, Now + 1));
                    break;
                }
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
            live = CountLiveAndStartFollowers();
            if (live == 0 && _queue.Count > 0 && OnlySamplesLeft()) break;
            if (live == 0 && OnlySamplesLeft()) break; // only kernel threads and samples left: the run is over
            onSlice?.Invoke();
        }
        if (!Halted) OnRunEnd?.Invoke();
        if (_sample is not null && _sampleIntervalNs > 0) _sample(Now);
        return Now;
    }

    private bool[] _finishSeen = [];

    /// <summary>The tasks not yet done; a task seen done for the first time releases the processes that start
    /// after it (start_after), at its end plus their start_at.</summary>
    private int CountLiveAndStartFollowers()
    {
        int n = 0;
        for (int i = 0; i < _tasks.Count; i++)
        {
            var t = _tasks[i];
            if (!t.IsDone) { n++; continue; }
            if (i >= _finishSeen.Length || _finishSeen[i]) continue;
            _finishSeen[i] = true;
            for (int j = 0; j < _finishSeen.Length; j++)
            {
                if (_tasks[j].Spec.StartAfterIndex != i || _tasks[j].State != TaskState.NotStarted) continue;
                Push(Math.Max(Now, t.EndNs) + _tasks[j].Spec.StartAtNs, Kind.Ready, j);
            }
        }
        return n;
    }

    private bool OnlySamplesLeft()
    {
        foreach (var (e, _) in _queue.UnorderedItems) if (e.Kind is not (Kind.Sample or Kind.Thread)) return false;
        return true;
    }

    /// <summary>The task's index in the task list, remembered in the task (a list search per slice otherwise).</summary>
    private int IndexOf(SimTask t)
    {
        int i = t.SchedIndex;
        if ((uint)i < (uint)_tasks.Count && ReferenceEquals(_tasks[i], t)) return i;
        return t.SchedIndex = _tasks.IndexOf(t);
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
                if (_lastOnCpu[cpu] is not null) { if (!Pcid) t.Mm.Tlb.FlushAll(); ContextSwitches++; }
                _lastOnCpu[cpu] = t;
            }
            _cpuBusy[cpu] = true;
            long slice = _threadsQueued > 0 ? Math.Min(_sliceNs, KernelThreadQuantumNs) : _sliceNs;
            var r = _exec.RunSlice(t, Now, slice, cpu);
            switch (r.End)
            {
                case SliceEnd.Preempted:
                    Push(r.EndNs, Kind.Ready, IndexOf(t));
                    break;
                case SliceEnd.Blocked:
                    t.State = TaskState.Blocked;
                    Push(r.WakeNs, Kind.Ready, IndexOf(t));
                    break;
            }
            Push(r.EndNs, Kind.CpuFree, cpu);
        }
    }
}
