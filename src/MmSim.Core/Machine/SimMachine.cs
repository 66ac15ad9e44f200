using System.Diagnostics;
using MmSim.Mm;
using MmSim.Oom;
using MmSim.Reclaim;
using MmSim.Swap;
using MmSim.PageCache;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Reports;
using MmSim.Sched;
using MmSim.Workloads;

namespace MmSim.Machine;

/// <summary>
/// A whole simulated machine built from a scenario: the kernel's memory state, the mechanisms that act on it,
/// and the simulated processes, driven by the <see cref="Scheduler"/>. <see cref="Run"/> runs the scenario to the
/// end; the result is read through <see cref="Kernel"/>, <see cref="Tasks"/> and <see cref="Timeline"/>.
/// </summary>
public sealed partial class SimMachine
{
    public Scenario Scenario { get; }
    public Kernel Kernel { get; }
    public IReadOnlyList<SimTask> Tasks => _tasks;
    public List<TimelineSample> Timeline { get; } = new();
    public long EndNs { get; private set; }
    public long ContextSwitches { get; private set; }
    public Mmu Mmu { get; }
    public PageTableOps PageTables { get; }
    public FaultHandler Faults { get; }
    public Mmap Mmap { get; }
    public Filemap Filemap { get; }
    public Readahead Readahead { get; }
    public Overcommit Overcommit { get; }
    public StepExecutor Executor { get; }
    public Workingset Workingset { get; }
    public SwapOps SwapOps { get; }
    public Rmap Rmap { get; }
    public Vmscan Vmscan { get; }
    public Kswapd Kswapd { get; }
    public OomKiller Oom { get; }
    public Fork ForkOps { get; }
    /// <summary>The content check of <see cref="MachineOptions.CheckContents"/>, or null.</summary>
    public ContentShadow? Contents { get; }
    public Writeback Writeback { get; }
    public SwapIo SwapIo { get; }
    /// <summary>The CPU caches (<c>machine.caches</c>), one hierarchy for the whole machine; null when none.</summary>
    public Cache.CacheHierarchy? Caches { get; }
    private int _nextPid;
    private Scheduler? _sched;

    private readonly List<SimTask> _tasks = new();
    private readonly MachineOptions _options;
    private int _nextMmId = 1;

    public SimMachine(Scenario scenario, MachineOptions? options = null)
    {
        if (scenario.Machine.IsSegmented)
            throw new InputException(scenario.SourceName, scenario.Machine.Line,
                $"translation: {scenario.Machine.Translation} runs on the segmented machine ('mmsim run', 'mmsim translate --scenario ... --segment'), not here");
        Scenario = scenario;
        _options = options ?? new MachineOptions();
        Kernel = new Kernel(scenario);
        if (_options.Tracepoints) Kernel.Trace = new TraceLog(Kernel.Log);
        PageTables = new PageTableOps(Kernel);
        Filemap = new Filemap(Kernel);
        Readahead = new Readahead(Kernel, Filemap);
        Faults = new FaultHandler(Kernel, PageTables, Filemap, Readahead);
        Overcommit = new Overcommit(Kernel);
        Mmap = new Mmap(Kernel, PageTables, Faults, Overcommit);
        Mmu = new Mmu(Kernel.Layout, Kernel.Tables, Kernel.Frames);
        Executor = new StepExecutor(Kernel, Mmu, Faults, Mmap, Filemap, Readahead, _options.FaultEventLimit);
        Executor.BeforeTeardown = t => t.Final = MmSnapshot.Of(t.Mm);
        if (scenario.Machine.Caches is { } caches) Caches = Executor.Caches = new Cache.CacheHierarchy(caches);
        if (_options.CheckContents) Contents = Executor.Contents = new ContentShadow(Kernel);

        Workingset = new Workingset(Kernel);
        Filemap.Workingset = Workingset;
        SwapOps = new SwapOps(Kernel, Workingset);
        Faults.SwapOps = SwapOps;
        Mmap.SwapOps = SwapOps;
        Rmap = new Rmap(Kernel, PageTables);
        Vmscan = new Vmscan(Kernel, Rmap, SwapOps, Workingset);
        Kswapd = new Kswapd(Kernel, Vmscan);
        Vmscan.ReclaimProgress = () => Kswapd.Failures = 0;
        Oom = new OomKiller(Kernel, () => _tasks, (t, now, sig, why) => Executor.Kill(t, now, sig, why));
        SwapIo = new SwapIo(Kernel);
        Vmscan.SwapIo = SwapIo;
        Kswapd.SwapIo = SwapIo;
        Faults.SwapIo = SwapIo;
        Kernel.Allocator = new PageAllocator(Kernel, Vmscan, Kswapd, Oom, SwapIo);
        Writeback = new Writeback(Kernel);
        Kernel.Writeback = Writeback;
        ForkOps = new Fork(Kernel, PageTables, Overcommit);
        Executor.OnFork = DoFork;
        _nextPid = scenario.Processes.Count == 0 ? 1000 : scenario.Processes.Max(p => p.Pid) + 1;
        if (scenario.Cgroups.Count > 0) SetUpMemcg(); // memcg issue
        foreach (var p in scenario.Processes)
        {
            _tasks.Add(new SimTask(p, NewMm(), scenario.Seed));
            Kernel.Memcg?.Attach(_tasks[^1]);
        }
    }

    /// <summary>A new address space with its own anon_vma family, registered for the reverse map.</summary>
    public MmStruct NewMm(int? family = null)
    {
        var mm = new MmStruct(_nextMmId++, new Tlb(Scenario.Machine.TlbEntries,
            Scenario.Machine.TlbWays, Scenario.Machine.TlbL2Entries, Scenario.Machine.TlbL2Ways));
        mm.MmapBase = MmStruct.DefaultMmapBase & ~((ulong)Kernel.PageSize - 1);
        Kernel.MmById.Add(mm);
        if (family is int f) mm.AnonVma = f;
        else
        {
            mm.AnonVma = Kernel.AnonVmas.Count;
            Kernel.AnonVmas.Add(new List<MmStruct>());
        }
        Kernel.AnonVmas[mm.AnonVma].Add(mm);
        return mm;
    }

    private static IEnumerable<Step> Flatten(List<Step> steps)
    {
        foreach (var s in steps)
        {
            yield return s;
            if (s is RepeatStep r) foreach (var inner in Flatten(r.Steps)) yield return inner;
        }
    }

    /// <summary>Runs the scenario to the end (every process exited or killed).</summary>
    public void Run()
    {
        long expected = EstimateAccesses();
        long lastReport = 0;
        var sched = new Scheduler(_tasks, Executor, Scenario.Machine.Cpus, Scenario.Machine.TimeSliceNs, Spawn,
            _options.SampleIntervalNs, _options.SampleIntervalNs > 0 ? Sample : null)
        {
            Pcid = Scenario.Machine.Pcid, KthreadsShareCpus = Scenario.Machine.KswapdCpu == "shared",
        };
        _sched = sched;
        int kswapd = sched.AddThread(Kswapd);
        Kswapd.Schedule = at => sched.Wake(kswapd, at);
        if (sched.KthreadsShareCpus) Kswapd.WakeupPreempts = at => sched.ThreadWakeupPreempts(kswapd, at);
        int swapIo = sched.AddThread(SwapIo);
        SwapIo.Schedule = at => sched.Wake(swapIo, at);
        int flusher = sched.AddThread(Writeback);
        Writeback.Schedule = at => sched.Wake(flusher, at);
        Kernel.OnPanic = _ => sched.Halted = true;
        var progress = _options.Progress;
        var cancel = _options.Cancellation;
        long limit = _options.AccessLimit;
        long wallLimit = _options.WallClockLimit > TimeSpan.Zero ? (long)(_options.WallClockLimit.TotalSeconds * Stopwatch.Frequency) : 0;
        long started = Stopwatch.GetTimestamp();
        Action? onSlice = progress is null && !cancel.CanBeCanceled && limit <= 0 && wallLimit <= 0 ? null : () =>
        {
            long done = Executor.TotalAccesses;
            if (limit > 0 && done > limit)
                throw new SimulationLimitException($"the simulation exceeded its work budget of {limit:N0} simulated accesses");
            if (wallLimit > 0 && Stopwatch.GetTimestamp() - started > wallLimit)
                throw new SimulationLimitException($"the simulation exceeded its wall-clock limit ({done:N0} accesses simulated by then)", wallClock: true);
            if (cancel.IsCancellationRequested)
                throw new SimulationLimitException($"the simulation was cancelled ({done:N0} accesses simulated by then)");
            if (progress is not null && done - lastReport >= 1_000_000) { lastReport = done; progress(done, expected); }
        };
        // The run ends when the last process does, but writes already submitted still finish: a real kernel's
        // /proc, read after the processes exit (as the twin's executor does), shows them done (nr_written,
        // Writeback 0, rotated pages). The completions only: nothing new is started.
        sched.OnRunEnd = () => { SwapIo.Drain(); Writeback.Drain(); };
        EndNs = sched.Run(onSlice);
        if (Kernel.Memcg is { } mc) FinishPsi(mc);
        ContextSwitches = sched.ContextSwitches;
        _options.Progress?.Invoke(Executor.TotalAccesses, Math.Max(expected, Executor.TotalAccesses));
    }

    /// <summary>exec of a new process: its PGD, its kernel stack, and the stack mapping if the scenario asks.</summary>
    private bool Spawn(SimTask t, long now)
    {
        t.StartNs = now;
        Kernel.Now = now;
        if (Kernel.Memcg is not null)
        {
            Kernel.Current = t; // memcg issue: exec's pages are charged to the new task
            Kernel.CurrentCpu = 0; // simplification: a scenario's process is started from CPU 0 (its charge stock)
        }
        if (!PageTables.AllocPgd(t.Mm))
        {
            Executor.Kill(t, now, "SIGKILL", "fork failed: no page for the page table (ENOMEM)");
            return false;
        }
        if (!AllocKernelStack(t))
        {
            Executor.Kill(t, now, "SIGKILL", "fork failed: no pages for the kernel stack (ENOMEM)");
            return false;
        }
        Kernel.Log.Add(now, EventTypes.Start, t.Pid, $"{t.Comm}[{t.Pid}] started");
        if (t.Spec.StackBytes > 0)
        {
            ulong len = Mmap.PageAlign((ulong)t.Spec.StackBytes);
            var vma = Mmap.DoMmap(t.Mm, "stack", len, VmFlags.Read | VmFlags.Write | VmFlags.Growsdown, null, 0,
                (PagingLayout.TaskSizeMax & ~((ulong)Kernel.PageSize - 1)) - len, out _);
            if (vma is not null) t.Regions["stack"] = vma;
        }
        t.State = TaskState.Runnable;
        return true;
    }

    /// <summary>fork(): a child task sharing the parent's memory copy-on-write, running the fork step's steps.</summary>
    private SimTask? DoFork(SimTask parent, ForkStep step, long now)
    {
        var spec = new ProcessSpec
        {
            Name = step.Name ?? parent.Name,
            Pid = _nextPid++,
            OomScoreAdj = parent.OomScoreAdj,
            StartAtNs = now,
            Steps = step.Steps,
            Line = step.Line,
        };
        var mm = NewMm(parent.Mm.AnonVma);
        var child = new SimTask(spec, mm, Scenario.Seed) { ParentPid = parent.Pid, StartNs = now, State = TaskState.Runnable };
        Kernel.Memcg?.Attach(child, parent.Memcg); // a child starts in its parent's cgroup
        var vmaMap = new Dictionary<Vma, Vma>();
        Kernel.Now = now;
        if (!ForkOps.DupMmap(parent.Mm, mm, vmaMap) || !AllocKernelStack(child))
        {
            Mmap.ExitMmap(mm);
            foreach (int pfn in child.KernelStack) Kernel.FreePage(pfn);
            Kernel.NrKernelStackKb -= child.KernelStack.Length * (Kernel.PageSize / 1024);
            Kernel.AnonVmas[mm.AnonVma].Remove(mm);
            return null;
        }
        foreach (var (name, vma) in parent.Regions) child.Regions[name] = vmaMap[vma];
        Contents?.Fork(parent.Mm, mm);
        Kernel.Log.Add(now, EventTypes.Start, child.Pid, $"{child.Comm}[{child.Pid}] forked from {parent.Comm}[{parent.Pid}]");
        _sched!.AddTask(child, now);
        return child;
    }

    private bool AllocKernelStack(SimTask t)
    {
        int stackPages = Math.Max(1, 16384 / Kernel.PageSize);
        var stack = new List<int>(stackPages);
        for (int i = 0; i < stackPages; i++)
        {
            int pfn = Kernel.AllocKernelPage();
            if (pfn < 0) break;
            stack.Add(pfn);
        }
        t.KernelStack = stack.ToArray();
        Kernel.NrKernelStackKb += stack.Count * (Kernel.PageSize / 1024);
        return stack.Count == stackPages;
    }

    private void Sample(long now)
    {
        Timeline.Add(TimelineSample.Take(this, now));
        _options.OnSample?.Invoke(this, now);
    }

    private long EstimateAccesses() => EstimateAccesses(Scenario);

    /// <summary>The simulated accesses a scenario's steps ask for (touches and accesses, times their repeats),
    /// saturating at <see cref="long.MaxValue"/>: a server refuses a scenario by this before running it.</summary>
    public static long EstimateAccesses(Scenario scenario)
    {
        long total = 0;
        foreach (var p in scenario.Processes) total = SatAdd(total, Estimate(p.Steps, scenario.Machine.PageSize));
        return Math.Max(1, total);
    }

    private static long Estimate(List<Step> steps, int pageSize)
    {
        long n = 0;
        var sizes = new Dictionary<string, long>();
        foreach (var s in steps)
        {
            switch (s)
            {
                case AllocStep a: sizes[a.Name] = a.SizeBytes; break;
                case TouchStep t:
                    long len = t.LengthBytes ?? (sizes.TryGetValue(t.Region, out var sz) ? sz : 0);
                    n = SatAdd(n, len / Math.Max(1, t.StrideBytes > 0 ? t.StrideBytes : pageSize));
                    break;
                case AccessStep a: n = SatAdd(n, a.Count); break;
                case RepeatStep r: n = SatAdd(n, SatMul(Estimate(r.Steps, pageSize), r.Times)); break;
                case ForkStep f: n = SatAdd(n, Estimate(f.Steps, pageSize)); break;
            }
        }
        return n;
    }

    private static long SatAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
    private static long SatMul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    /// <summary>
    /// Checks the machine's invariants: every frame is free, reserved, or owned exactly once (by a page table, a
    /// kernel stack, the page cache, or the anonymous mappings that map it), mapcounts equal the PTEs that map
    /// each frame, the LRU lists are consistent, and the counters add up. Throws on the first violation.
    /// </summary>
    public void CheckInvariants() => Invariants.Check(this);
}
