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
    /// <summary>The scenario's cgroups (pods' included) as the VM's kernel printed their memory files at the end of
    /// the run, in the simulator's shape (<see cref="CgroupReport"/>); only with cgroups.</summary>
    [JsonPropertyName("cgroups")] public List<CgroupReport>? Cgroups { get; set; }
    [JsonPropertyName("pods")] public List<PodReport>? Pods { get; set; }
    /// <summary>/proc/pressure/memory at the end (only with cgroups).</summary>
    [JsonPropertyName("pressure")] public PressureReport? Pressure { get; set; }
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
        /// <summary>The VM's speed, measured before the scenario (<see cref="TwinCalibration"/>).</summary>
        [JsonPropertyName("calibration")] public TwinCalibration? Calibration { get; init; }
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
        var memcgKilled = new HashSet<int>();
        foreach (var (t, _, text) in r.Kmsg)
        {
            var km = OomKilledRx().Match(text);
            if (km.Success)
            {
                int pid = int.Parse(km.Groups[1].Value);
                // A memory.oom.group kill may name the chosen victim twice (oom_kill_memcg_member kills it again
                // while its mm is still there): its sizes are those of the first line.
                oomLines.TryAdd(pid, km);
                if (text.StartsWith(MemcgOomPrefix, StringComparison.Ordinal)) memcgKilled.Add(pid);
                events.Add(new EventReport(t, "oom_kill", pid, text));
                continue;
            }
            var ok = OomKillRx().Match(text);
            if (ok.Success) { events.Add(new EventReport(t, "oom", int.Parse(ok.Groups[1].Value), text)); continue; }
            if (text.Contains("invoked oom-killer")) { events.Add(new EventReport(t, "oom", 0, text)); continue; }
            // The memory cgroup OOM killer's own lines (mem_cgroup_print_oom_meminfo, mem_cgroup_print_oom_group).
            if (text.StartsWith("memory: usage ", StringComparison.Ordinal) || text.StartsWith("swap: usage ", StringComparison.Ordinal)
                || text.StartsWith("Memory cgroup stats for ", StringComparison.Ordinal)
                || (text.StartsWith("Tasks in ", StringComparison.Ordinal) && text.Contains("memory.oom.group")))
            {
                events.Add(new EventReport(t, "oom", 0, text));
                continue;
            }
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
                HarnessMajflt = r.HarnessMajflt, Calibration = r.Calibration },
        };
        // The scenario's processes in scenario order, then the children of fork steps in fork order (the simulator
        // gives them the pids after the scenario's, in the order they were forked).
        var all = s.Processes.Select((p, i) => (Idx: i, Name: p.Name, Comm: p.Comm, Adj: OomScoreAdjOf(p, memTotal))).ToList();
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
                // The simulator's wording (Oom/OomKiller.Memcg.cs): a memory cgroup OOM kill is a container OOM kill.
                reason = memcgKilled.Contains(p.Pid) ? "killed by the memory cgroup OOM killer (container OOM kill)"
                    : "out of memory: the OOM killer chose it";
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
        if (r.Cgroups.Count > 0)
        {
            report.Cgroups = r.Cgroups.Select(CgroupOf).ToList();
            report.Pressure = PressureOf(r.Pressure);
            if (s.Pods.Count > 0) report.Pods = PodsOf(s, report, memTotal, memcgKilled);
        }
        return report;
    }

    public const string MemcgOomPrefix = "Memory cgroup out of memory: ";

    /// <summary>The oom_score_adj the process ran with: the scenario's, or the kubelet's for a pod's container,
    /// with the VM's MemTotal as the node's capacity (as the executor computed it).</summary>
    private static int OomScoreAdjOf(ProcessSpec p, long memTotalKb) =>
        p.Pod is { } pod ? Memcg.Kubelet.OomScoreAdj(pod.Qos, p.Container!.MemoryRequest ?? 0, Math.Max(1, memTotalKb * 1024)) : p.OomScoreAdj;

    /// <summary>One cgroup's files in the simulator's report shape: single values as numbers (or "max"), the
    /// key-value files, and memory.pressure.</summary>
    private static CgroupReport CgroupOf(TwinResult.TwinCgroup c)
    {
        var report = new CgroupReport { Path = c.Path, Pressure = PressureOf(c.PressureLines) };
        foreach (var name in new[] { "memory.max", "memory.high", "memory.low", "memory.min", "memory.swap.max",
                     "memory.oom.group", "memory.current", "memory.peak", "memory.swap.current" })
            report.Files[name] = c.Files.TryGetValue(name, out var v)
                ? long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : v
                : null!; // a file this kernel does not have: left out of the JSON
        foreach (var (k, v) in c.Kv("memory.events")) report.Events[k] = v;
        foreach (var (k, v) in c.Kv("memory.events.local")) report.EventsLocal[k] = v;
        foreach (var (k, v) in c.Kv("memory.stat")) report.Stat[k] = v;
        return report;
    }

    /// <summary>A pressure file ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0", then "full ...") as numbers.</summary>
    public static PressureReport PressureOf(IReadOnlyList<string> lines)
    {
        var p = new PressureReport { Text = lines.ToArray() };
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            var into = parts[0] == "some" ? p.Some : parts[0] == "full" ? p.Full : null;
            if (into is null) continue;
            foreach (var kv in parts.Skip(1))
            {
                int eq = kv.IndexOf('=');
                if (eq < 0) continue;
                string key = kv[..eq], val = kv[(eq + 1)..];
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                if (key == "total" && long.TryParse(val, System.Globalization.NumberStyles.Integer, inv, out long t)) into[key] = t;
                else if (decimal.TryParse(val, System.Globalization.NumberStyles.Number, inv, out decimal d)) into[key] = d;
            }
        }
        return p;
    }

    /// <summary>The pods as the simulator reports them: QoS class, cgroups, each container's oom_score_adj and
    /// fate, and whether an OOM kill was the container's own limit ("Memory cgroup out of memory") or the node's.</summary>
    private static List<PodReport> PodsOf(Scenario s, TwinReport report, long memTotalKb, HashSet<int> memcgKilled)
    {
        var list = new List<PodReport>();
        foreach (var pod in s.Pods)
        {
            var pr = new PodReport { Name = pod.Name, QosClass = Memcg.Kubelet.QosName(pod.Qos), Cgroup = Memcg.Kubelet.PodCgroup(pod) };
            foreach (var c in pod.Containers)
            {
                int idx = s.Processes.IndexOf(c.Process);
                var p = idx >= 0 && idx < report.Processes.Count ? report.Processes[idx] : null;
                bool oomKilled = p is { State: "killed" } && report.Events.Any(e => e.Type == "oom_kill" && e.Pid == p.Pid);
                pr.Containers.Add(new PodReport.ContainerReport
                {
                    Name = c.Name, Pid = p?.Pid ?? 0, Cgroup = c.CgroupPath, OomScoreAdj = OomScoreAdjOf(c.Process, memTotalKb),
                    State = p?.State ?? "running",
                    OomKill = !oomKilled ? null : memcgKilled.Contains(p!.Pid) ? "container" : "node",
                });
            }
            list.Add(pr);
        }
        return list;
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
