using System.Text.Json.Serialization;
using MmSim.Machine;
using MmSim.Memcg;
using MmSim.Memcg.Psi;
using MmSim.Physical;
using MmSim.Reclaim;

namespace MmSim.Reports;

/// <summary>A pressure file's two lines (some, full) as numbers: avg10/60/300 as psi_show prints them, total in µs.</summary>
public sealed class PressureReport
{
    [JsonPropertyName("some")] public OrderedDictionary<string, object> Some { get; init; } = new();
    [JsonPropertyName("full")] public OrderedDictionary<string, object> Full { get; init; } = new();
    /// <summary>The file as the kernel prints it.</summary>
    [JsonPropertyName("text")] public string[] Text { get; init; } = [];

    public static PressureReport Of(PsiGroup g, long t)
    {
        var (s, f) = g.TotalAt(t);
        var (avgS, avgF) = g.AveragesAt(t);
        OrderedDictionary<string, object> Line(ulong[] a, long total) => new()
        {
            ["avg10"] = decimal.Parse(PsiAverages.Format(a[0]), System.Globalization.CultureInfo.InvariantCulture),
            ["avg60"] = decimal.Parse(PsiAverages.Format(a[1]), System.Globalization.CultureInfo.InvariantCulture),
            ["avg300"] = decimal.Parse(PsiAverages.Format(a[2]), System.Globalization.CultureInfo.InvariantCulture),
            ["total"] = total / 1000,
        };
        return new PressureReport { Some = Line(avgS, s), Full = Line(avgF, f), Text = g.Lines(t) };
    }
}

/// <summary>
/// One cgroup's memory files at the end of the run, in bytes as cgroup v2 prints them ("max" when unlimited):
/// the settings, memory.current, memory.peak, memory.swap.current, memory.events (hierarchical) and .local,
/// memory.stat (hierarchical) and memory.pressure.
/// </summary>
public sealed class CgroupReport
{
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    /// <summary>The memory files with one value, by name (serialized flat, next to <see cref="Path"/>).</summary>
    [JsonIgnore] public OrderedDictionary<string, object> Files { get; init; } = new();
    [JsonPropertyName("memory.max")] public object MemoryMax => Files["memory.max"];
    [JsonPropertyName("memory.high")] public object MemoryHigh => Files["memory.high"];
    [JsonPropertyName("memory.low")] public object MemoryLow => Files["memory.low"];
    [JsonPropertyName("memory.min")] public object MemoryMin => Files["memory.min"];
    [JsonPropertyName("memory.swap.max")] public object MemorySwapMax => Files["memory.swap.max"];
    [JsonPropertyName("memory.oom.group")] public object MemoryOomGroup => Files["memory.oom.group"];
    [JsonPropertyName("memory.current")] public object MemoryCurrent => Files["memory.current"];
    [JsonPropertyName("memory.peak")] public object MemoryPeak => Files["memory.peak"];
    [JsonPropertyName("memory.swap.current")] public object MemorySwapCurrent => Files["memory.swap.current"];
    [JsonPropertyName("memory.events")] public OrderedDictionary<string, long> Events { get; init; } = new();
    [JsonPropertyName("memory.events.local")] public OrderedDictionary<string, long> EventsLocal { get; init; } = new();
    [JsonPropertyName("memory.stat")] public OrderedDictionary<string, long> Stat { get; init; } = new();
    [JsonPropertyName("memory.pressure")] public PressureReport Pressure { get; init; } = new();
    /// <summary>cgroup.procs: the pids that ran in it (the cgroup itself, not descendants).</summary>
    [JsonPropertyName("cgroup.procs")] public List<int> Procs { get; init; } = new();

    public static List<CgroupReport> Build(SimMachine m)
    {
        var k = m.Kernel;
        var mc = k.Memcg!;
        int n = mc.All.Count;
        // Local page counts per memcg by kind, from the frames.
        var anon = new long[n]; var file = new long[n]; var pgt = new long[n]; var stack = new long[n];
        var mapped = new long[n]; var dirty = new long[n]; var wb = new long[n]; var swapcached = new long[n];
        var frames = k.Frames;
        for (int pfn = 0; pfn < frames.Length; pfn++)
        {
            int id = mc.IdOf(pfn);
            if (id == 0) continue;
            ref var f = ref frames[pfn];
            uint fl = f.Flags;
            if ((fl & (uint)FrameFlags.PageTable) != 0) pgt[id]++;
            else if ((fl & (uint)FrameFlags.SwapCache) != 0) { swapcached[id]++; file[id]++; if (f.MapCount > 0) anon[id]++; }
            else if ((fl & (uint)FrameFlags.Anon) != 0) anon[id]++;
            else if ((fl & (uint)FrameFlags.File) != 0)
            {
                file[id]++;
                if (f.MapCount > 0) mapped[id]++;
                if ((fl & (uint)FrameFlags.Dirty) != 0) dirty[id]++;
            }
            else stack[id]++;
            if ((fl & (uint)FrameFlags.Writeback) != 0) wb[id]++;
        }
        var list = new List<CgroupReport>();
        long ps = k.PageSize;
        object Bytes(long pages) => pages == PageCounter.Unlimited ? "max" : pages * ps;
        foreach (var cg in mc.All)
        {
            if (cg.IsRoot) continue;
            long Sum(long[] a) { long s = 0; foreach (var d in cg.Subtree()) s += a[d.Id]; return s; }
            long pgfault = 0, pgmaj = 0, scan = 0, steal = 0, rfA = 0, rfF = 0;
            foreach (var d in cg.Subtree())
            {
                scan += d.PgScan; steal += d.PgSteal; rfA += d.RefaultAnon; rfF += d.RefaultFile;
                foreach (var t in d.Tasks) { pgfault += t.MinFlt + t.MajFlt; pgmaj += t.MajFlt; }
            }
            var r = new CgroupReport { Path = cg.Path, Pressure = PressureReport.Of(cg.Psi, m.EndNs) };
            r.Files["memory.max"] = Bytes(cg.Memory.Max);
            r.Files["memory.high"] = Bytes(cg.High);
            r.Files["memory.low"] = Bytes(cg.Memory.Low);
            r.Files["memory.min"] = Bytes(cg.Memory.Min);
            r.Files["memory.swap.max"] = Bytes(cg.Swap.Max);
            r.Files["memory.oom.group"] = cg.OomGroup ? 1 : 0;
            r.Files["memory.current"] = cg.Memory.Usage * ps;
            r.Files["memory.peak"] = cg.Memory.Watermark * ps;
            r.Files["memory.swap.current"] = cg.Swap.Usage * ps;
            for (int e = 0; e < MemCgroup.EventNames.Length; e++)
            {
                r.Events[MemCgroup.EventNames[e]] = cg.Events[e];
                r.EventsLocal[MemCgroup.EventNames[e]] = cg.EventsLocal[e];
            }
            long stackPages = Sum(stack), pgtPages = Sum(pgt), percpuPages = 0, percpuBytes = 0;
            foreach (var d in cg.Subtree()) { percpuPages += d.PercpuPages; percpuBytes += d.PercpuBytes; }
            var st = r.Stat;
            st["anon"] = Sum(anon) * ps;
            st["file"] = Sum(file) * ps;
            st["kernel"] = (stackPages + pgtPages + percpuPages) * ps;
            st["kernel_stack"] = stackPages * ps;
            st["pagetables"] = pgtPages * ps;
            st["percpu"] = percpuBytes;
            st["shmem"] = 0;
            st["file_mapped"] = Sum(mapped) * ps;
            st["file_dirty"] = Sum(dirty) * ps;
            st["file_writeback"] = Sum(wb) * ps;
            st["swapcached"] = Sum(swapcached) * ps;
            st["inactive_anon"] = mc.LruSize(cg, LruList.InactiveAnon) * ps;
            st["active_anon"] = mc.LruSize(cg, LruList.ActiveAnon) * ps;
            st["inactive_file"] = mc.LruSize(cg, LruList.InactiveFile) * ps;
            st["active_file"] = mc.LruSize(cg, LruList.ActiveFile) * ps;
            st["unevictable"] = mc.LruSize(cg, LruList.Unevictable) * ps;
            st["workingset_refault_anon"] = rfA;
            st["workingset_refault_file"] = rfF;
            st["pgscan"] = scan;
            st["pgsteal"] = steal;
            st["pgfault"] = pgfault;
            st["pgmajfault"] = pgmaj;
            foreach (var t in cg.Tasks) r.Procs.Add(t.Pid);
            list.Add(r);
        }
        return list;
    }
}

/// <summary>A pod: its QoS class and, per container, its cgroup, oom_score_adj and fate — including whether an OOM
/// kill was the container's own limit ("container") or the node running out ("node").</summary>
public sealed class PodReport
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("qos_class")] public string QosClass { get; init; } = "";
    [JsonPropertyName("cgroup")] public string Cgroup { get; init; } = "";
    [JsonPropertyName("containers")] public List<ContainerReport> Containers { get; init; } = new();

    public sealed class ContainerReport
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("pid")] public int Pid { get; init; }
        [JsonPropertyName("cgroup")] public string Cgroup { get; init; } = "";
        [JsonPropertyName("oom_score_adj")] public int OomScoreAdj { get; init; }
        [JsonPropertyName("state")] public string State { get; init; } = "";
        /// <summary>"container" (OOMKilled by its own memory limit), "node" (the node ran out), or absent.</summary>
        [JsonPropertyName("oom_kill")] public string? OomKill { get; init; }
    }

    public static List<PodReport> Build(SimMachine m)
    {
        var list = new List<PodReport>();
        foreach (var pod in m.Scenario.Pods)
        {
            var r = new PodReport { Name = pod.Name, QosClass = Kubelet.QosName(pod.Qos), Cgroup = Kubelet.PodCgroup(pod) };
            foreach (var c in pod.Containers)
            {
                var t = m.Tasks.First(t => ReferenceEquals(t.Spec, c.Process));
                r.Containers.Add(new ContainerReport
                {
                    Name = c.Name, Pid = t.Pid, Cgroup = c.CgroupPath, OomScoreAdj = t.OomScoreAdj,
                    State = t.State switch { Sched.TaskState.Exited => "exited", Sched.TaskState.Killed => "killed", _ => "running" },
                    OomKill = t.OomKind,
                });
            }
            list.Add(r);
        }
        return list;
    }
}
