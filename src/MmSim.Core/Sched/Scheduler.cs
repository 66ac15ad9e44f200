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
    /// <summary>When each busy CPU's occupant lets it go (a CpuFree event for another time is stale), and which
    /// kernel thread holds it (-1: a task or nobody).</summary>
    private readonly long[] _cpuFreeAt;
    private readonly int[] _cpuThread;
    private readonly SimTask?[] _lastOnCpu;
    private long _seq;
    private readonly long _sampleIntervalNs;
    private readonly Action<long>? _sample;
    private readonly Func<SimTask, long, bool> _spawn;

    private readonly List<IKernelThread> _threads = new();
    private readonly List<bool> _threadQueued = new();
    private readonly List<long> _threadDue = new();
    private int _threadsQueued;
    /// <summary>Kernel threads due to run that found every CPU busy (only with <see cref="KthreadsShareCpus"/>).</summary>
    private readonly Queue<int> _cpuWaiters = new();
    private readonly List<bool> _threadWaiting = new();
    // CFS between kswapd and the tasks (shared mode; kernel/sched/fair.c): every runnable entity's vruntime grows
    // with the CPU time it gets (all at nice 0); a thread waking from sleep is placed at most half a latency period
    // behind the queue's min_vruntime (place_entity's sleeper credit), and preempts the running task only if it is
    // more than wakeup_granularity behind it (check_preempt_wakeup); otherwise entities run until their slice
    // (sched_slice, 3 ms for two) is used and another is behind them (check_preempt_tick).
    private readonly List<long> _threadVr = new();
    private readonly List<bool> _threadPreempts = new();
    private readonly List<long> _threadRunSince = new();
    private long _minVr;
    private SimTask? _curTask;
    private long _curSliceStart;
    /// <summary>The entity that last ran on each CPU (a task's index, or ~thread), to tell a continued run.</summary>
    private readonly int[] _lastEntity;

    /// <summary>sysctl_sched_wakeup_granularity on one CPU (1 ms × (1 + ilog2(ncpus)), capped at 8 CPUs).</summary>
    public long WakeupGranularityNs => 1_000_000L * (1 + Math.Min(3, System.Numerics.BitOperations.Log2((uint)_cpuBusy.Length)));
    /// <summary>place_entity's sleeper credit: sched_latency / 2 (GENTLE_FAIR_SLEEPERS).</summary>
    public const long SleeperCreditNs = 3_000_000;

    /// <summary>Kernel threads that use CPU time (kswapd) run on the machine's CPUs, as CFS runs them: on an idle
    /// CPU at once; on a busy one when their wake-up preempts the task or, by vruntime, when the task has used its
    /// slice (<see cref="SharedSliceNs"/>). Off (machine.kswapd_cpu: own): they run beside the tasks, as on a CPU
    /// of their own.</summary>
    public bool KthreadsShareCpus { get; init; }

    /// <summary>A CFS turn with two runnable entities: sched_latency (6 ms) / 2 (kernel/sched/fair.c,
    /// __sched_period and sched_slice).</summary>
    public const long SharedSliceNs = 3_000_000;

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
        _threadWaiting.Add(false);
        _threadVr.Add(0);
        _threadPreempts.Add(false);
        _threadRunSince.Add(0);
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
        _cpuFreeAt = new long[_cpuBusy.Length];
        _cpuThread = new int[_cpuBusy.Length];
        Array.Fill(_cpuThread, -1);
        _lastEntity = new int[_cpuBusy.Length];
        Array.Fill(_lastEntity, int.MinValue);
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
                    if (KthreadsShareCpus)
                    {
                        if (_threadWaiting[ev.Target]) break; // already waiting for a CPU
                        // Its own CPU if its last run ends now (a pass continuing), unless its turn is over while
                        // tasks wait; else the last idle CPU (tasks are dispatched from the first, so a task keeps
                        // its CPU and TLB).
                        int cpu = Array.IndexOf(_cpuThread, ev.Target);
                        if (cpu >= 0 && (_cpuFreeAt[cpu] != Now || !ThreadKeepsCpu(ev.Target))) cpu = -1;
                        if (cpu < 0) cpu = Array.LastIndexOf(_cpuBusy, false);
                        if (cpu < 0)
                        {
                            _threadWaiting[ev.Target] = true;
                            _cpuWaiters.Enqueue(ev.Target);
                            break;
                        }
                        RunThreadOn(ev.Target, cpu);
                        DispatchIdle();
                        break;
                    }
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
                    t.ReadySinceNs = Now;
                    t.Queued = true;
                    _ready.Enqueue(t);
                    DispatchIdle();
                    break;
                }
                case Kind.CpuFree:
                    if (_cpuFreeAt[ev.Target] != Now) break; // stale: the CPU was taken again
                    _cpuBusy[ev.Target] = false;
                    _cpuThread[ev.Target] = -1;
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
        foreach (var (e, _) in _queue.UnorderedItems)
        {
            if (e.Kind is Kind.Sample or Kind.Thread) continue;
            if (e.Kind == Kind.CpuFree && _cpuThread[e.Target] >= 0) continue; // a kernel thread's CPU time
            return false;
        }
        return true;
    }

    /// <summary>The task's index in the task list, remembered in the task (a list search per slice otherwise).</summary>
    private int IndexOf(SimTask t)
    {
        int i = t.SchedIndex;
        if ((uint)i < (uint)_tasks.Count && ReferenceEquals(_tasks[i], t)) return i;
        return t.SchedIndex = _tasks.IndexOf(t);
    }

    /// <summary>Runs kernel thread <paramref name="thread"/> on <paramref name="cpu"/> now; the CPU stays busy for
    /// the CPU time the run took (a kernel thread borrows the last task's address space: no TLB flush).</summary>
    private void RunThreadOn(int thread, int cpu)
    {
        var th = _threads[thread];
        long next = th.Run(Now);
        if (next >= 0) Wake(thread, Math.Max(next, Now + 1));
        long used = th.LastRunCpuNs;
        if (used <= 0)
        {
            _cpuBusy[cpu] = false;
            _cpuThread[cpu] = -1;
            _cpuFreeAt[cpu] = Now;
            return;
        }
        if (_lastEntity[cpu] != ~thread) _threadRunSince[thread] = Now;
        _lastEntity[cpu] = ~thread;
        _threadVr[thread] += used;
        _cpuBusy[cpu] = true;
        _cpuThread[cpu] = thread;
        _cpuFreeAt[cpu] = Now + used;
        Push(Now + used, Kind.CpuFree, cpu);
    }

    /// <summary>The smallest vruntime among the runnable tasks (the running one included), kept monotonic.</summary>
    private long MinVruntime(long now)
    {
        long min = long.MaxValue;
        if (_curTask is { IsDone: false } c) min = c.Vruntime + (now - _curSliceStart);
        foreach (var t in _ready) if (!t.IsDone) min = Math.Min(min, t.Vruntime);
        if (min != long.MaxValue && min > _minVr) _minVr = min;
        return _minVr;
    }

    /// <summary>
    /// Kswapd was woken at <paramref name="now"/> by the running task's allocation (shared mode): places it
    /// (sleeper credit) and tells whether the task's slice ends here: it does when kswapd preempts the task
    /// (check_preempt_wakeup), and when an idle CPU lets the two run side by side.
    /// </summary>
    public bool ThreadWakeupPreempts(int thread, long now)
    {
        _threadVr[thread] = Math.Max(_threadVr[thread], MinVruntime(now) - SleeperCreditNs);
        _threadPreempts[thread] = false;
        // An idle CPU: it runs there; the task's slice still ends now, so that the two interleave in simulated time.
        if (Array.IndexOf(_cpuBusy, false) >= 0 || _curTask is null) return true;
        long curVr = _curTask.Vruntime + (now - _curSliceStart);
        return _threadPreempts[thread] = curVr - _threadVr[thread] > WakeupGranularityNs;
    }

    /// <summary>check_preempt_tick for a thread whose run ends now: it goes on unless its slice is used and the
    /// first waiting task is behind it.</summary>
    private bool ThreadKeepsCpu(int thread)
    {
        if (_ready.Count == 0) return true;
        if (Now - _threadRunSince[thread] < SharedSliceNs) return true;
        return _threadVr[thread] <= _ready.Peek().Vruntime;
    }

    /// <summary>A free CPU, a waiting thread and a waiting task: the thread if it preempted at its wake-up, or if the
    /// task (the last to run here) has used its slice and is ahead of the thread.</summary>
    private bool ThreadBeforeTask(int thread, int cpu)
    {
        if (_ready.Count == 0 || _threadPreempts[thread]) return true;
        var t = _ready.Peek();
        bool taskContinues = _lastEntity[cpu] == IndexOf(t) && Now - t.RunSinceNs < SharedSliceNs;
        return !taskContinues && _threadVr[thread] < t.Vruntime;
    }

    private void DispatchIdle()
    {
        for (int cpu = 0; cpu < _cpuBusy.Length && (_ready.Count > 0 || _cpuWaiters.Count > 0); cpu++)
        {
            if (_cpuBusy[cpu]) continue;
            if (_cpuWaiters.Count > 0 && ThreadBeforeTask(_cpuWaiters.Peek(), cpu))
            {
                int th = _cpuWaiters.Dequeue();
                _threadWaiting[th] = false;
                _threadPreempts[th] = false;
                RunThreadOn(th, cpu);
                cpu--; // this CPU again: busy now, or free if the run took no CPU time
                continue;
            }
            if (_ready.Count == 0) break;
            var t = _ready.Dequeue();
            if (t.Queued) t.RunDelayNs += Now - t.ReadySinceNs; // a task killed in the queue counted its wait then
            t.Queued = false;
            if (t.IsDone) { cpu--; continue; }
            if (!ReferenceEquals(_lastOnCpu[cpu], t))
            {
                // No PCID: switching address spaces flushes the TLB (switch_mm_irqs_off → CR3 write).
                if (_lastOnCpu[cpu] is not null) { if (!Pcid) t.Mm.Tlb.FlushAll(); ContextSwitches++; }
                _lastOnCpu[cpu] = t;
            }
            _cpuBusy[cpu] = true;
            long slice = _threadsQueued > 0 ? Math.Min(_sliceNs, KernelThreadQuantumNs) : _sliceNs;
            int idx = IndexOf(t);
            if (_lastEntity[cpu] != idx) t.RunSinceNs = Now;
            _lastEntity[cpu] = idx;
            if (_cpuWaiters.Count > 0 && KthreadsShareCpus)
                slice = Math.Min(slice, Math.Max(KernelThreadQuantumNs, t.RunSinceNs + SharedSliceNs - Now));
            _curTask = t;
            _curSliceStart = Now;
            var r = _exec.RunSlice(t, Now, slice, cpu);
            _curTask = null;
            t.Vruntime += r.EndNs - Now;
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
            _cpuFreeAt[cpu] = r.EndNs;
            Push(r.EndNs, Kind.CpuFree, cpu);
        }
    }
}
