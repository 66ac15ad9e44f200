using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Twin;

/// <summary>
/// The report of a twin run: the same JSON document as <c>mmsim run --json</c> (<see cref="RunReport"/>), filled
/// from the real kernel, plus <c>kernel</c>. Processes are in scenario order, with the VM's pids.
/// </summary>
public sealed partial class TwinReport
{
    [JsonPropertyName("scenario")] public RunReport.ScenarioInfo Scenario { get; init; } = new();
    [JsonPropertyName("machine")] public RunReport.MachineInfo Machine { get; init; } = new();
    /// <summary>Real time from the scenario's start to the end of the run (every process died or finished).</summary>
    [JsonPropertyName("simulated_ns")] public long SimulatedNs { get; init; }
    [JsonPropertyName("processes")] public List<ProcessReport> Processes { get; init; } = new();
    [JsonPropertyName("meminfo")] public OrderedDictionary<string, long> Meminfo { get; init; } = new();
    /// <summary>/proc/meminfo just before the scenario's first process started.</summary>
    [JsonPropertyName("meminfo_start")] public OrderedDictionary<string, long> MeminfoStart { get; init; } = new();
    [JsonPropertyName("vmstat")] public OrderedDictionary<string, long> Vmstat { get; init; } = new();
    [JsonPropertyName("buddyinfo")] public List<string> Buddyinfo { get; init; } = new();
    [JsonPropertyName("watermarks")] public List<ZoneReport> Watermarks { get; init; } = new();
    [JsonPropertyName("events")] public List<EventReport> Events { get; init; } = new();
    [JsonPropertyName("kernel")] public KernelInfo Kernel { get; init; } = new();

    public sealed class KernelInfo
    {
        [JsonPropertyName("version")] public string Version { get; init; } = "";
        [JsonPropertyName("MemTotal")] public long MemTotalKb { get; init; }
        [JsonPropertyName("kvm")] public bool Kvm { get; init; }
        [JsonPropertyName("wall_ms")] public long WallMs { get; init; }
        /// <summary>Major faults of the twin's own processes (the harness and PID 1) during the run, part of the
        /// system-wide pgmajfault; no simulated process has such pages.</summary>
        [JsonPropertyName("harness_majflt")] public long HarnessMajflt { get; init; }
    }

    public string ToJson() => JsonSerializer.Serialize(this, RunReport.JsonOptions);

    [GeneratedRegex(@"Killed process (\d+) \((.*?)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB(?:.*pgtables:(\d+)kB)?")]
    private static partial Regex OomKilledRx();

    [GeneratedRegex(@"^(.+?)\[(\d+)\]: (segfault at|general protection)|traps: (.+?)\[(\d+)\] general protection")]
    private static partial Regex SegvRx();

    [GeneratedRegex(@"oom-kill:.*,pid=(\d+),")]
    private static partial Regex OomKillRx();

    public static string SignalName(int sig) => sig switch
    {
        6 => "SIGABRT", 7 => "SIGBUS", 9 => "SIGKILL", 11 => "SIGSEGV", 15 => "SIGTERM", _ => $"SIG{sig}",
    };

    /// <summary>The node counters named nr_* that only grow (events, not states: NR_DIRTIED, NR_WRITTEN,
    /// NR_VMSCAN_WRITE, NR_VMSCAN_IMMEDIATE...).</summary>
    public static readonly HashSet<string> CumulativeNr =
    [
        "nr_dirtied", "nr_written", "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_throttled_written",
        "nr_foll_pin_acquired", "nr_foll_pin_released",
    ];

    /// <summary>/proc/vmstat at the end, with the event counters (every key not starting with nr_) counted from the
    /// scenario's start, as the simulator counts them from its boot.</summary>
    public static OrderedDictionary<string, long> CounterDeltas(TwinResult r)
    {
        var d = new OrderedDictionary<string, long>();
        foreach (var (k, v) in r.Vmstat) d[k] = k.StartsWith("nr_") && !CumulativeNr.Contains(k) ? v : v - r.Vmstat0.GetValueOrDefault(k);
        return d;
    }

    public static TwinReport Build(Scenario s, TwinResult r)
    {
        long memTotal = r.Meminfo.GetValueOrDefault("MemTotal");
        var events = new List<EventReport>();
        var oomLines = new Dictionary<int, Match>();
        var segv = new Dictionary<int, string>();
        foreach (var (t, _, text) in r.Kmsg)
        {
            var km = OomKilledRx().Match(text);
            if (km.Success)
            {
                int pid = int.Parse(km.Groups[1].Value);
                oomLines[pid] = km;
                events.Add(new EventReport(t, "oom_kill", pid, text));
                continue;
            }
            var ok = OomKillRx().Match(text);
            if (ok.Success) { events.Add(new EventReport(t, "oom", int.Parse(ok.Groups[1].Value), text)); continue; }
            if (text.Contains("invoked oom-killer")) { events.Add(new EventReport(t, "oom", 0, text)); continue; }
            var sm = SegvRx().Match(text);
            if (sm.Success)
            {
                int pid = int.Parse(sm.Groups[2].Success && sm.Groups[2].Value != "" ? sm.Groups[2].Value : sm.Groups[5].Value);
                segv.TryAdd(pid, text);
                events.Add(new EventReport(t, EventTypes.Segv, pid, text));
            }
        }

        var report = new TwinReport
        {
            Scenario = new RunReport.ScenarioInfo
            {
                Name = s.Name, Title = s.Title, Source = s.SourceName, Seed = s.Seed,
                Description = s.Description, DescriptionZh = s.DescriptionZh,
            },
            Machine = new RunReport.MachineInfo
            {
                MemoryKb = s.Machine.MemoryBytes / 1024, PageSize = 4096, SwapKb = s.Machine.SwapBytes / 1024,
                Cpus = s.Machine.Cpus, PagingLevels = 4, KernelReservedKb = s.Machine.MemoryBytes / 1024 - memTotal,
            },
            SimulatedNs = r.EndNs,
            Meminfo = r.Meminfo,
            MeminfoStart = r.Meminfo0,
            Vmstat = CounterDeltas(r),
            Kernel = new KernelInfo { Version = r.Kernel, MemTotalKb = memTotal, Kvm = r.Kvm, WallMs = (long)r.Wall.TotalMilliseconds,
                HarnessMajflt = r.HarnessMajflt },
        };
        // The scenario's processes in scenario order, then the children of fork steps in fork order (the simulator
        // gives them the pids after the scenario's, in the order they were forked).
        var all = s.Processes.Select((p, i) => (Idx: i, Name: p.Name, Comm: p.Comm, Adj: p.OomScoreAdj)).ToList();
        foreach (var c in r.Processes.Where(x => x.Index >= s.Processes.Count).OrderBy(x => x.Index))
            all.Add((c.Index, c.Comm, c.Comm, 0));
        foreach (var (idx, name, comm, adj) in all)
        {
            var p = r.Processes.FirstOrDefault(x => x.Index == idx) ?? new TwinResult.TwinProcess { Index = idx, State = "running" };
            long St(string key) => p.Status.GetValueOrDefault(key);
            string? signal = p.State == "killed" ? SignalName(p.Signal) : null;
            string? reason = null;
            long vmSize = St("VmSize"), rss = St("VmRSS"), anon = St("RssAnon"), file = St("RssFile"), shmem = St("RssShmem"), pte = St("VmPTE");
            if (p.State == "killed" && oomLines.TryGetValue(p.Pid, out var om))
            {
                reason = "out of memory: the OOM killer chose it";
                vmSize = long.Parse(om.Groups[3].Value);
                anon = long.Parse(om.Groups[4].Value);
                file = long.Parse(om.Groups[5].Value);
                shmem = long.Parse(om.Groups[6].Value);
                rss = anon + file + shmem;
                if (om.Groups[7].Success) pte = long.Parse(om.Groups[7].Value);
            }
            else if (p.State == "killed" && segv.TryGetValue(p.Pid, out var line)) reason = line;
            else if (p.State == "killed") reason = $"killed by {signal}";
            report.Processes.Add(new ProcessReport
            {
                Pid = p.Pid, Name = name, State = p.State, Signal = signal, Reason = reason,
                MinFlt = p.MinFlt, MajFlt = p.MajFlt, OomScoreAdj = adj,
                VmPeak = St("VmPeak"), VmSize = vmSize, VmLck = St("VmLck"), VmHWM = St("VmHWM"), VmRSS = rss,
                RssAnon = anon, RssFile = file, RssShmem = shmem, VmData = St("VmData"), VmStk = St("VmStk"),
                VmPTE = pte, VmSwap = St("VmSwap"), StartNs = p.StartNs, EndNs = p.EndNs,
            });
            events.Add(new EventReport(p.StartNs, EventTypes.Start, p.Pid, $"{comm}[{p.Pid}] started"));
            if (p.State == "exited")
                events.Add(new EventReport(p.EndNs, EventTypes.Exit, p.Pid,
                    $"{comm}[{p.Pid}] exited: {p.MinFlt} minor and {p.MajFlt} major faults, VmHWM {St("VmHWM")} kB"));
            else if (p.State == "killed")
                events.Add(new EventReport(p.EndNs, EventTypes.Killed, p.Pid, $"{comm}[{p.Pid}] killed by {signal}: {reason}"));
            else
                events.Add(new EventReport(p.EndNs, EventTypes.Step, p.Pid, $"{comm}[{p.Pid}] finished its steps and stays alive (no exit step)"));
        }
        report.Events.AddRange(events.OrderBy(e => e.TimeNs));
        return report;
    }
}

/// <summary>The twin end to end: plan, image (cached), VM run, report.</summary>
public static class TwinRun
{
    public static TwinReport Run(Scenario scenario, TimeSpan? timeout = null)
    {
        var plan = TwinPlan.Build(scenario);
        var env = TwinEnvironment.Require();
        var image = TwinImage.Build(plan, env);
        var result = TwinRunner.Run(image, timeout ?? TwinRunner.DefaultTimeout(plan));
        return TwinReport.Build(scenario, result);
    }
}
