using System.Text.Json;
using System.Text.Json.Serialization;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Twin;

/// <summary>One row of <c>mmsim twin compare</c>: a figure from the simulator and from the real kernel.</summary>
public sealed record CompareRow(
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("simulated")] object Simulated,
    [property: JsonPropertyName("real")] object Real,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("tolerance")] string Tolerance);

/// <summary>
/// The simulator and the twin on the same scenario, side by side. The simulated machine is given the VM's
/// MemTotal (its <c>kernel_reserved</c> set to match) so both have the same memory to give. Verdicts: <c>equal</c>,
/// <c>close</c> (within the row's tolerance, see docs/twin.md) or <c>differs</c>.
/// </summary>
public sealed class TwinComparison
{
    public const string Equal = "equal", Close = "close", Differs = "differs";

    [JsonPropertyName("scenario")] public string? Scenario { get; init; }
    [JsonPropertyName("kernel")] public string Kernel { get; init; } = "";
    [JsonPropertyName("MemTotal")] public long MemTotalKb { get; init; }
    [JsonPropertyName("rows")] public List<CompareRow> Rows { get; init; } = new();
    /// <summary>The VM's speed given to the simulated machine (<see cref="TwinCompare.MatchSpeed"/>), or null when
    /// the simulator ran with the scenario's own latencies.</summary>
    [JsonPropertyName("vm_speed")] public TwinCalibration? Speed { get; set; }

    [JsonIgnore] public RunReport? Simulated { get; init; }
    [JsonIgnore] public TwinReport? Real { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, RunReport.JsonOptions);

    /// <summary>Per-process fault counts: equal, or close within 1% or 64 faults (the executor's own code and
    /// stack are pre-faulted, but the kernel may still count a few faults the model does not have).</summary>
    public static string FaultTolerance => "1% or 64 faults";
    /// <summary>Resident and swapped sizes: the real process also holds the executor's binary, stack and I/O buffer
    /// (about 1.5 MiB), which the simulated one does not have.</summary>
    public static string RssTolerance => "5% or 2048 kB";
    /// <summary>pgfault counts every fault in the VM: also the executor's own start-up (fork, pre-faulting), a few
    /// hundred faults per process.</summary>
    public static string PgfaultTolerance => "2% or 512 per process";
    /// <summary>The other system-wide counters.</summary>
    public static string CounterTolerance => "2% or 8";

    /// <summary>The reclaim issue's tolerance for pswpout and pgmajfault: how much is written to swap and read
    /// back depends on the order of reclaim, which the model follows only roughly.</summary>
    public static string SwapTolerance => "20% or 8";

    /// <summary>The system-wide rows, in order: (counter, kind) with kind "faults" (pgfault's tolerance), "swap"
    /// (20%), "exact" or "counter" (2% or 8).</summary>
    public static readonly IReadOnlyList<(string Key, string Kind)> CounterRows =
    [
        ("pgfault", "faults"), ("pgmajfault", "swap"), ("pswpin", "counter"), ("pswpout", "swap"),
        ("pgscan_kswapd", "counter"), ("pgscan_direct", "counter"), ("pgsteal_kswapd", "counter"),
        ("pgsteal_direct", "counter"), ("allocstall_dma32", "counter"), ("allocstall_normal", "counter"),
        ("allocstall_movable", "counter"), ("oom_kill", "exact"), ("nr_written", "counter"),
        ("workingset_refault_file", "counter"),
        // kswapd's rhythm (balance_pgdat calls; kswapd_try_to_sleep's short sleeps cut short or not enough).
        ("pageoutrun", "counter"), ("kswapd_low_wmark_hit_quickly", "counter"), ("kswapd_high_wmark_hit_quickly", "counter"),
    ];

    /// <summary>Pairs the simulated and the real processes: the scenario's by position (both reports list them in
    /// scenario order), then the children of fork steps by name and, among children of one name, in fork order.
    /// A process present on one side only is paired with null.</summary>
    public static List<(ProcessReport? Sim, ProcessReport? Real)> Pair(RunReport sim, TwinReport real, int scenarioProcesses)
    {
        var pairs = new List<(ProcessReport?, ProcessReport?)>();
        int n = Math.Min(scenarioProcesses, Math.Min(sim.Processes.Count, real.Processes.Count));
        for (int i = 0; i < n; i++) pairs.Add((sim.Processes[i], real.Processes[i]));
        var simKids = sim.Processes.Skip(n).ToList();
        var realKids = real.Processes.Skip(n).ToList();
        foreach (var s in simKids)
        {
            string comm = s.Name.Length > ProcessSpec.CommLength ? s.Name[..ProcessSpec.CommLength] : s.Name;
            var r = realKids.FirstOrDefault(x => x.Name == comm || x.Name == s.Name);
            if (r is not null) realKids.Remove(r);
            pairs.Add((s, r));
        }
        foreach (var r in realKids) pairs.Add((null, r));
        return pairs;
    }

    /// <summary>memory.events oom_kill: exact, except that with a memory.oom.group kill the kernel may count the
    /// group's chosen victim twice. oom_kill_process kills the victim (__oom_kill_process: oom_kill +1), then
    /// oom_kill_memcg_member runs __oom_kill_process on every task of the group, the victim included; if the victim
    /// still has its mm (find_lock_task_mm), it is counted and logged again, else "OOM victim ... is already
    /// exiting". So two tasks give oom_kill 2 or 3; the row is <c>close</c> within one count per oom_group_kill.</summary>
    public static string OomKillTolerance => "exact; ±1 per oom_group_kill (the group's victim may be counted twice)";
    /// <summary>memory.events high, max and low: how many times depends on the charge batch (the kernel charges 64
    /// pages at a time, MEMCG_CHARGE_BATCH) and on timing; the question is whether the cgroup was throttled, hit
    /// its limit or had its protection broken at all.</summary>
    public static string SeenTolerance => "both > 0 or both 0";
    /// <summary>memory.current and memory.swap.current: the real cgroup is also charged for each process's executor
    /// (its binary's copied pages, stack, buffers: about 1.5 MiB) and kernel objects (slab).</summary>
    public static string CgroupMemoryTolerance => "5% or 2048 kB per process in it";

    /// <summary>Per-cgroup rows for the cgroups both reports have (by path): memory.events oom_kill, oom_group_kill,
    /// oom, high, max, low; memory.current and memory.swap.current at the end.</summary>
    private static void CgroupRows(RunReport sim, TwinReport real, List<CompareRow> rows)
    {
        if (sim.Cgroups is null || real.Cgroups is null) return;
        foreach (var sc in sim.Cgroups)
        {
            var rc = real.Cgroups.FirstOrDefault(c => c.Path == sc.Path);
            if (rc is null) continue;
            long Ev(CgroupReport c, string key) => c.Events.GetValueOrDefault(key);
            string p = sc.Path;
            long groups = Math.Max(Ev(sc, "oom_group_kill"), Ev(rc, "oom_group_kill"));
            long sk = Ev(sc, "oom_kill"), rk = Ev(rc, "oom_kill");
            rows.Add(new CompareRow($"{p}: memory.events oom_kill", sk, rk,
                sk == rk ? Equal : groups > 0 && Math.Abs(sk - rk) <= groups ? Close : Differs, OomKillTolerance));
            foreach (var key in new[] { "oom_group_kill", "oom" })
            {
                long a = Ev(sc, key), b = Ev(rc, key);
                rows.Add(new CompareRow($"{p}: memory.events {key}", a, b, a == b ? Equal : Differs, "exact"));
            }
            foreach (var key in new[] { "high", "max", "low" })
            {
                long a = Ev(sc, key), b = Ev(rc, key);
                rows.Add(new CompareRow($"{p}: memory.events {key}", a, b,
                    a == b ? Equal : (a > 0) == (b > 0) ? Close : Differs, SeenTolerance));
            }
            long tasks = Math.Max(1, sim.Processes.Count(x => sc.Procs.Contains(x.Pid)) +
                sim.Cgroups.Where(c => c.Path.StartsWith(p + "/", StringComparison.Ordinal)).Sum(c => c.Procs.Count));
            foreach (var file in new[] { "memory.current", "memory.swap.current" })
            {
                long a = Bytes(sc.Files.GetValueOrDefault(file)) / 1024, b = Bytes(rc.Files.GetValueOrDefault(file)) / 1024;
                string v = a == b ? Equal : Math.Abs(a - b) <= Math.Max(2048 * tasks, (long)(0.05 * Math.Max(a, b))) ? Close : Differs;
                rows.Add(new CompareRow($"{p}: {file} kB", a, b, v, CgroupMemoryTolerance));
            }
        }
    }

    private static long Bytes(object? v) => v switch { long l => l, int i => i, _ => 0 };

    public static TwinComparison Build(RunReport sim, TwinReport real, int processes)
    {
        var rows = new List<CompareRow>();
        void Num(string what, long s, long r, long absTol, double relTol, string tol)
        {
            string v = s == r ? Equal : Math.Abs(s - r) <= Math.Max(absTol, (long)(relTol * Math.Max(Math.Abs(s), Math.Abs(r)))) ? Close : Differs;
            rows.Add(new CompareRow(what, s, r, v, tol));
        }
        rows.Add(new CompareRow("MemTotal", sim.Meminfo.GetValueOrDefault("MemTotal"), real.Meminfo.GetValueOrDefault("MemTotal"),
            sim.Meminfo.GetValueOrDefault("MemTotal") == real.Meminfo.GetValueOrDefault("MemTotal") ? Equal : Differs, "exact"));
        static string Fate(ProcessReport? p) =>
            p is null ? "absent" : p.State == "killed" ? $"killed ({p.Signal})" : "survived";
        var seen = new Dictionary<string, int>();
        int all = 0;
        foreach (var (s, r) in Pair(sim, real, processes))
        {
            all++;
            string name = (s ?? r)!.Name;
            // Two processes of one name (children of fork steps often share their parent's): NAME#2, NAME#3...
            int k = seen[name] = seen.GetValueOrDefault(name) + 1;
            if (k > 1) name = $"{name}#{k}";
            rows.Add(new CompareRow($"{name}: fate", Fate(s), Fate(r), Fate(s) == Fate(r) ? Equal : Differs, "exact"));
            if (s is null || r is null) continue;
            Num($"{name}: minflt", s.MinFlt, r.MinFlt, 64, 0.01, FaultTolerance);
            Num($"{name}: majflt", s.MajFlt, r.MajFlt, 64, 0.01, FaultTolerance);
            Num($"{name}: VmRSS kB", s.VmRSS, r.VmRSS, 2048, 0.05, RssTolerance);
            Num($"{name}: VmSwap kB", s.VmSwap, r.VmSwap, 2048, 0.05, RssTolerance);
        }
        CgroupRows(sim, real, rows);
        long perProc = 512L * Math.Max(1, all);
        foreach (var (key, kind) in CounterRows)
        {
            long s = sim.Vmstat.GetValueOrDefault(key), r = real.Vmstat.GetValueOrDefault(key);
            // pgmajfault of the scenario's processes: the VM's system-wide count also has the twin's own processes
            // (the harness, init, the shell's helpers), whose pages are swapped out and read back too
            // (harness_majflt in the report); the simulated machine runs nothing else.
            if (key == "pgmajfault") r = real.Processes.Sum(p => p.MajFlt);
            switch (kind)
            {
                case "exact": rows.Add(new CompareRow(key, s, r, s == r ? Equal : Differs, "exact")); break;
                case "faults": Num(key, s, r, perProc, 0.02, PgfaultTolerance); break;
                case "swap": Num(key, s, r, 8, 0.20, SwapTolerance); break;
                default: Num(key, s, r, 8, 0.02, CounterTolerance); break;
            }
        }
        return new TwinComparison
        {
            Scenario = sim.Scenario.Name, Kernel = real.Kernel.Version, MemTotalKb = real.Kernel.MemTotalKb, Rows = rows,
            Simulated = sim, Real = real,
        };
    }
}

public static class TwinCompare
{
    /// <summary>Runs the twin, then the simulator on a fresh copy of the scenario whose machine has the VM's
    /// MemTotal, kernel memory and (unless <paramref name="vmSpeed"/> is false) speed. <paramref name="reload"/>
    /// gives a fresh scenario (the simulator's machine setting is changed).</summary>
    public static TwinComparison Run(Scenario scenario, Func<Scenario> reload, TimeSpan? timeout = null, bool vmSpeed = true)
    {
        var real = TwinRun.Run(scenario, timeout);
        return Against(real, reload(), vmSpeed);
    }

    /// <summary>The simulator on <paramref name="fresh"/> (a scenario not run yet) against a twin run of it.</summary>
    public static TwinComparison Against(TwinReport real, Scenario fresh, bool vmSpeed = true)
    {
        int processes = fresh.Processes.Count;
        var simScenario = MatchKernelMemory(MatchMemTotal(fresh, real.Kernel.MemTotalKb), real.MeminfoStart);
        if (vmSpeed && real.Kernel.Calibration is { Complete: true } cal) MatchSpeed(simScenario, cal);
        var machine = new SimMachine(simScenario);
        machine.Run();
        var sim = RunReport.Build(machine);
        var cmp = TwinComparison.Build(sim, real, processes);
        cmp.Speed = vmSpeed && real.Kernel.Calibration is { Complete: true } ? real.Kernel.Calibration : null;
        return cmp;
    }

    /// <summary>
    /// Sets <c>machine.kernel_memory</c> to what the VM's kernel held when the scenario started (its /proc/meminfo
    /// then), so both machines start with the same free memory: SReclaimable, SUnreclaim, VmallocUsed, Percpu, and
    /// the rest of MemTotal − MemFree as <c>other</c> (kernel stacks, the initramfs, the harness, driver pages).
    /// </summary>
    public static Scenario MatchKernelMemory(Scenario s, IReadOnlyDictionary<string, long> meminfoStart)
    {
        long Kb(string key) => meminfoStart.TryGetValue(key, out long v) ? v : 0;
        long used = Kb("MemTotal") - Kb("MemFree");
        if (used <= 0) return s;
        long slabR = Kb("SReclaimable"), slabU = Kb("SUnreclaim"), vmalloc = Kb("VmallocUsed"), percpu = Kb("Percpu");
        long other = Math.Max(0, used - slabR - slabU - vmalloc - percpu);
        s.Machine.KernelMemory = new KernelMemorySpec
        {
            SlabReclaimableBytes = slabR * 1024, SlabUnreclaimableBytes = slabU * 1024,
            VmallocBytes = vmalloc * 1024, PercpuBytes = percpu * 1024, OtherBytes = other * 1024,
        };
        return s;
    }

    /// <summary>
    /// Gives the simulated machine the VM's speed, as measured by the executor (<see cref="TwinCalibration"/>): an
    /// access costs what a random read of a mapped page cost in the VM (its TLB misses included, so no separate walk
    /// cost), a first touch what touching a fresh page cost (minor_fault is the rest), and the kernel's CPU work
    /// (system calls, reclaim's scanning, freeing and swap submission) is slowed by the same factor as the fault
    /// against the default machine's 1.5 µs touch. The disk requests cost what the VM's disk took: a 32-page
    /// write for swap_write and disk_write, a 4 KiB read for swap_read and major_fault.
    /// </summary>
    public static Scenario MatchSpeed(Scenario s, TwinCalibration cal)
    {
        var d = new LatencySpec();
        double factor = cal.FaultNs / (double)(d.AccessNs + 4 * d.TlbMissPerLevelNs + d.MinorFaultNs);
        long Scaled(long ns) => Math.Max(1, (long)Math.Round(ns * factor));
        var l = s.Machine.Latency;
        l.AccessNs = cal.AccessNs;
        l.TlbMissPerLevelNs = 0;
        l.MinorFaultNs = Math.Max(1, cal.FaultNs - cal.AccessNs);
        l.SyscallNs = Scaled(d.SyscallNs);
        l.ReclaimScanNs = Scaled(d.ReclaimScanNs);
        l.ReclaimFreeNs = Scaled(d.ReclaimFreeNs);
        l.SwapSubmitNs = Scaled(d.SwapSubmitNs);
        l.SwapWriteNs = l.DiskWriteNs = cal.SwapWriteNs;
        l.SwapReadNs = l.MajorFaultNs = cal.DiskReadNs;
        return s;
    }

    /// <summary>Sets <c>machine.kernel_reserved</c> so that the simulated MemTotal is <paramref name="memTotalKb"/>.</summary>
    public static Scenario MatchMemTotal(Scenario s, long memTotalKb)
    {
        if (memTotalKb <= 0) return s;
        var probe = new Kernel(s);
        long simKb = probe.PagesToKb(probe.Phys.TotalRamPages);
        if (simKb == memTotalKb) return s;
        var r = probe.Phys.Reserved;
        long reservedKb = r.MemmapKb + r.KernelKb + (simKb - memTotalKb);
        if (reservedKb > 0) s.Machine.KernelReservedBytes = reservedKb * 1024;
        return s;
    }
}
