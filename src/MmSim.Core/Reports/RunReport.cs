using System.Text.Json;
using System.Text.Json.Serialization;
using MmSim.Machine;
using MmSim.Mm;
using MmSim.Sched;

namespace MmSim.Reports;

/// <summary>
/// The report of one run: the JSON contract that tests and other tools read (stable names, Linux's own where
/// one exists, sizes in kB, times in ns), and what the text report is formatted from.
/// </summary>
public sealed class RunReport
{
    [JsonPropertyName("scenario")] public ScenarioInfo Scenario { get; init; } = new();
    [JsonPropertyName("machine")] public MachineInfo Machine { get; init; } = new();
    [JsonPropertyName("simulated_ns")] public long SimulatedNs { get; init; }
    [JsonPropertyName("processes")] public List<ProcessReport> Processes { get; init; } = new();
    /// <summary>The processes' internal fragmentation, summed.</summary>
    [JsonPropertyName("internal_fragmentation_bytes")] public long InternalFragmentationBytes { get; set; }
    /// <summary>The CPU caches over the whole run (null when the machine has none).</summary>
    [JsonPropertyName("caches")] public CachesReport? Caches { get; set; }
    [JsonPropertyName("meminfo")] public OrderedDictionary<string, long> Meminfo { get; init; } = new();
    [JsonPropertyName("vmstat")] public OrderedDictionary<string, long> Vmstat { get; init; } = new();
    [JsonPropertyName("buddyinfo")] public List<string> Buddyinfo { get; init; } = new();
    /// <summary>/sys/kernel/debug/extfrag/{unusable_index,extfrag_index}: the buddy allocator's fragmentation.</summary>
    [JsonPropertyName("extfrag")] public ExtfragReport Extfrag { get; init; } = new();
    [JsonPropertyName("watermarks")] public List<ZoneReport> Watermarks { get; init; } = new();
    [JsonPropertyName("events")] public List<EventReport> Events { get; init; } = new();
    /// <summary>memcg issue: the cgroups' memory files, the pods, and /proc/pressure/memory (only with cgroups).</summary>
    [JsonPropertyName("cgroups")] public List<CgroupReport>? Cgroups { get; set; }
    [JsonPropertyName("pods")] public List<PodReport>? Pods { get; set; }
    [JsonPropertyName("pressure")] public PressureReport? Pressure { get; set; }

    public sealed class ScenarioInfo
    {
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("title")] public string? Title { get; init; }
        [JsonPropertyName("source")] public string Source { get; init; } = "";
        [JsonPropertyName("seed")] public ulong Seed { get; init; }
        [JsonPropertyName("description")] public string? Description { get; init; }
        [JsonPropertyName("description_zh")] public string? DescriptionZh { get; init; }
    }

    public sealed class MachineInfo
    {
        [JsonPropertyName("memory_kb")] public long MemoryKb { get; init; }
        [JsonPropertyName("page_size")] public int PageSize { get; init; }
        [JsonPropertyName("swap_kb")] public long SwapKb { get; init; }
        [JsonPropertyName("cpus")] public int Cpus { get; init; }
        [JsonPropertyName("paging_levels")] public int PagingLevels { get; init; }
        [JsonPropertyName("kernel_reserved_kb")] public long KernelReservedKb { get; init; }
        [JsonPropertyName("reserved")] public OrderedDictionary<string, long> Reserved { get; init; } = new();
        [JsonPropertyName("min_free_kbytes")] public long MinFreeKbytes { get; init; }
        [JsonPropertyName("totalreserve_pages")] public long TotalReservePages { get; init; }
        [JsonPropertyName("context_switches")] public long ContextSwitches { get; init; }
    }

    public static RunReport Build(SimMachine m)
    {
        var k = m.Kernel;
        var s = m.Scenario;
        var r = k.Phys.Reserved;
        var report = new RunReport
        {
            Scenario = new ScenarioInfo
            {
                Name = s.Name, Title = s.Title, Source = s.SourceName, Seed = s.Seed,
                Description = s.Description, DescriptionZh = s.DescriptionZh,
            },
            Machine = new MachineInfo
            {
                MemoryKb = s.Machine.MemoryBytes / 1024,
                PageSize = k.PageSize,
                SwapKb = s.Machine.SwapBytes / 1024,
                Cpus = s.Machine.Cpus,
                PagingLevels = k.Layout.Levels,
                KernelReservedKb = r.MemmapKb + r.KernelKb,
                Reserved = new OrderedDictionary<string, long>
                {
                    ["holes_kb"] = r.HolesKb,
                    ["memmap_kb"] = r.MemmapKb,
                    ["kernel_kb"] = r.KernelKb,
                },
                MinFreeKbytes = k.Phys.MinFreeKbytes,
                TotalReservePages = k.Phys.TotalReservePages,
                ContextSwitches = m.ContextSwitches,
            },
            SimulatedNs = m.EndNs,
            Meminfo = Reports.Meminfo.Build(k),
            Vmstat = Reports.Vmstat.Build(k),
            Buddyinfo = k.Phys.FormatBuddyInfo().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList(),
            Extfrag = ExtfragReport.Build(k.Phys),
        };
        foreach (var z in k.Phys.Zones) report.Watermarks.Add(ZoneReport.Of(z));
        foreach (var t in m.Tasks) report.Processes.Add(ProcessReport.Of(t, k, m.Oom.OomScore(t), s.Machine));
        report.InternalFragmentationBytes = report.Processes.Sum(p => p.InternalFragmentationBytes);
        if (m.Caches is { } caches) report.Caches = CachesReport.Of(caches);
        foreach (var e in k.Log.Events) report.Events.Add(new EventReport(e.TimeNs, e.Type, e.Pid, e.Message));
        if (k.Memcg is { } mc)
        {
            report.Cgroups = CgroupReport.Build(m);
            report.Pressure = PressureReport.Of(mc.SystemPsi, m.EndNs);
            if (s.Pods.Count > 0) report.Pods = PodReport.Build(m);
        }
        return report;
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

public sealed record EventReport(
    [property: JsonPropertyName("time_ns")] long TimeNs,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("message")] string Message);

/// <summary>One zone's watermarks as /proc/zoneinfo shows them (pages).</summary>
public sealed class ZoneReport
{
    [JsonPropertyName("zone")] public string Zone { get; init; } = "";
    [JsonPropertyName("min")] public long Min { get; init; }
    [JsonPropertyName("low")] public long Low { get; init; }
    [JsonPropertyName("high")] public long High { get; init; }
    [JsonPropertyName("promo")] public long Promo { get; init; }
    [JsonPropertyName("spanned")] public long Spanned { get; init; }
    [JsonPropertyName("present")] public long Present { get; init; }
    [JsonPropertyName("managed")] public long Managed { get; init; }
    [JsonPropertyName("free")] public long Free { get; init; }
    [JsonPropertyName("protection")] public long[] Protection { get; init; } = [];

    public static ZoneReport Of(Physical.Zone z) => new()
    {
        Zone = z.Name, Min = z.WatermarkMin, Low = z.WatermarkLow, High = z.WatermarkHigh, Promo = z.WatermarkPromo,
        Spanned = z.SpannedPages, Present = z.PresentPages, Managed = z.ManagedPages, Free = z.FreePages,
        Protection = (long[])z.LowmemReserve.Clone(),
    };
}

/// <summary>A process: its fate, its fault counts (/proc/PID/stat) and its /proc/PID/status figures in kB —
/// taken just before it exited if it did.</summary>
public sealed class ProcessReport
{
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("state")] public string State { get; init; } = "";
    [JsonPropertyName("signal")] public string? Signal { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("minflt")] public long MinFlt { get; init; }
    [JsonPropertyName("majflt")] public long MajFlt { get; init; }
    [JsonPropertyName("oom_score_adj")] public int OomScoreAdj { get; init; }
    /// <summary>/proc/PID/oom_score at the end of the run (0 once the process is gone).</summary>
    [JsonPropertyName("oom_score")] public long OomScore { get; init; }
    [JsonPropertyName("VmPeak")] public long VmPeak { get; init; }
    [JsonPropertyName("VmSize")] public long VmSize { get; init; }
    [JsonPropertyName("VmLck")] public long VmLck { get; init; }
    [JsonPropertyName("VmHWM")] public long VmHWM { get; init; }
    [JsonPropertyName("VmRSS")] public long VmRSS { get; init; }
    [JsonPropertyName("RssAnon")] public long RssAnon { get; init; }
    [JsonPropertyName("RssFile")] public long RssFile { get; init; }
    [JsonPropertyName("RssShmem")] public long RssShmem { get; init; }
    [JsonPropertyName("VmData")] public long VmData { get; init; }
    [JsonPropertyName("VmStk")] public long VmStk { get; init; }
    [JsonPropertyName("VmPTE")] public long VmPTE { get; init; }
    [JsonPropertyName("VmSwap")] public long VmSwap { get; init; }
    [JsonPropertyName("accesses")] public long Accesses { get; init; }
    [JsonPropertyName("tlb_hits")] public long TlbHits { get; init; }
    [JsonPropertyName("tlb_misses")] public long TlbMisses { get; init; }
    /// <summary>First-level misses found in the second-level TLB, and those that were walked (with one configured).</summary>
    [JsonPropertyName("tlb_l2_hits")] public long? TlbL2Hits { get; init; }
    [JsonPropertyName("tlb_l2_misses")] public long? TlbL2Misses { get; init; }
    /// <summary>Effective access time from this process's TLB counts and the configured latencies (null with no accesses).</summary>
    [JsonPropertyName("eat_ns")] public double? EatNs { get; init; }
    /// <summary>Bytes mapped but not asked for in the last page of each mapping.</summary>
    [JsonPropertyName("internal_fragmentation_bytes")] public long InternalFragmentationBytes { get; init; }
    [JsonPropertyName("start_ns")] public long StartNs { get; init; }
    [JsonPropertyName("end_ns")] public long EndNs { get; init; }
    [JsonPropertyName("cpu_ns")] public long CpuNs { get; init; }
    [JsonPropertyName("io_wait_ns")] public long IoWaitNs { get; init; }
    [JsonPropertyName("sleep_ns")] public long SleepNs { get; init; }
    [JsonPropertyName("stall_ns")] public long StallNs { get; init; }
    /// <summary>Time runnable but waiting for a CPU (/proc/PID/schedstat's run_delay): behind another task, or
    /// behind kswapd on a machine whose CPUs it shares.</summary>
    [JsonPropertyName("run_delay_ns")] public long RunDelayNs { get; init; }
    /// <summary>Time slept as memory.high's penalty (mem_cgroup_handle_over_high). A process's time adds up:
    /// end − start = cpu + io_wait + sleep + high_throttle + run_delay (stall_ns is part of cpu and io_wait).</summary>
    [JsonPropertyName("high_throttle_ns")] public long HighThrottleNs { get; init; }
    [JsonPropertyName("direct_reclaims")] public long DirectReclaims { get; init; }
    /// <summary>Its share of the CPU caches and its time by level (null when the machine has no caches).</summary>
    [JsonPropertyName("caches")] public ProcessCachesReport? Caches { get; init; }

    public static ProcessReport Of(SimTask t, Kernel k, long oomScore, Workloads.MachineSpec machine)
    {
        var s = t.Final ?? MmSnapshot.Of(t.Mm);
        var tlb = t.Mm.Tlb;
        long walks = tlb.HasL2 ? tlb.L2Misses : tlb.Misses;
        long Kb(long pages) => k.PagesToKb(pages);
        return new ProcessReport
        {
            Pid = t.Pid, Name = t.Name,
            State = t.State switch { TaskState.Exited => "exited", TaskState.Killed => "killed", _ => "running" },
            Signal = t.Signal, Reason = t.Reason,
            MinFlt = t.MinFlt, MajFlt = t.MajFlt, OomScoreAdj = t.OomScoreAdj,
            VmPeak = Kb(Math.Max(s.TotalVm, t.Mm.HiwaterVm)), VmSize = Kb(s.TotalVm), VmLck = Kb(s.LockedVm),
            VmHWM = Kb(s.HiwaterRss), VmRSS = Kb(s.Rss), RssAnon = Kb(s.RssAnon), RssFile = Kb(s.RssFile),
            RssShmem = Kb(s.RssShmem), VmData = Kb(s.DataVm), VmStk = Kb(s.StackVm),
            VmPTE = s.PgtablesBytes >> 10, VmSwap = Kb(s.SwapEnts),
            Accesses = t.Accesses, TlbHits = t.Mm.Tlb.Hits, TlbMisses = t.Mm.Tlb.Misses,
            TlbL2Hits = tlb.HasL2 ? tlb.L2Hits : null, TlbL2Misses = tlb.HasL2 ? tlb.L2Misses : null,
            EatNs = Translate.EffectiveAccessTime.Measured(tlb.Hits, tlb.HasL2 ? tlb.L2Hits : 0, walks, tlb.HasL2,
                machine.Latency.TlbNs, machine.Latency.AccessNs, k.Layout.Levels),
            InternalFragmentationBytes = s.InternalFragBytes,
            StartNs = t.StartNs, EndNs = t.EndNs, CpuNs = t.CpuNs, IoWaitNs = t.IoWaitNs, SleepNs = t.SleepNs, RunDelayNs = t.RunDelayNs,
            HighThrottleNs = t.MemcgThrottledNs,
            StallNs = t.StallNs, DirectReclaims = t.DirectReclaims, OomScore = oomScore,
            Caches = ProcessCachesReport.Of(t.Caches, machine.Caches, t.IoWaitNs),
        };
    }
}
