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
        for (int i = 0; i < sim.Processes.Count && i < real.Processes.Count; i++)
        {
            var s = sim.Processes[i];
            var r = real.Processes[i];
            string Fate(ProcessReport p) => p.State == "killed" ? $"killed ({p.Signal})" : "survived";
            string name = s.Name;
            rows.Add(new CompareRow($"{name}: fate", Fate(s), Fate(r), Fate(s) == Fate(r) ? Equal : Differs, "exact"));
            Num($"{name}: minflt", s.MinFlt, r.MinFlt, 64, 0.01, FaultTolerance);
            Num($"{name}: majflt", s.MajFlt, r.MajFlt, 64, 0.01, FaultTolerance);
            Num($"{name}: VmRSS kB", s.VmRSS, r.VmRSS, 2048, 0.05, RssTolerance);
            Num($"{name}: VmSwap kB", s.VmSwap, r.VmSwap, 2048, 0.05, RssTolerance);
        }
        long perProc = 512L * Math.Max(1, processes);
        foreach (var key in new[]
                 {
                     "pgfault", "pgmajfault", "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
                     "pgsteal_direct", "allocstall_dma32", "allocstall_normal", "oom_kill",
                 })
        {
            long s = sim.Vmstat.GetValueOrDefault(key), r = real.Vmstat.GetValueOrDefault(key);
            if (key == "oom_kill") rows.Add(new CompareRow(key, s, r, s == r ? Equal : Differs, "exact"));
            else if (key == "pgfault") Num(key, s, r, perProc, 0.02, PgfaultTolerance);
            else Num(key, s, r, 8, 0.02, CounterTolerance);
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
    /// MemTotal. <paramref name="reload"/> gives a fresh scenario (the simulator's machine setting is changed).</summary>
    public static TwinComparison Run(Scenario scenario, Func<Scenario> reload, TimeSpan? timeout = null)
    {
        var plan = TwinPlan.Build(scenario);
        var real = TwinRun.Run(scenario, timeout);
        var simScenario = MatchMemTotal(reload(), real.Kernel.MemTotalKb);
        var machine = new SimMachine(simScenario);
        machine.Run();
        var sim = RunReport.Build(machine);
        return TwinComparison.Build(sim, real, plan.Scenario.Processes.Count);
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
