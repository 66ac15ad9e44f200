using System.Globalization;
using System.Text;
using MmSim.Workloads;

namespace MmSim.Twin;

/// <summary>
/// Turns a scenario into what the twin VM runs: the executor's plan (a versioned line format read by
/// twin_exec.c) and the settings of the VM (RAM, swap, CPUs, /proc/sys/vm). Throws an <see cref="InputException"/>
/// for what a real x86-64 VM cannot express: another page size, a machine larger than the host can give, too many
/// processes or steps for the executor.
/// </summary>
public sealed class TwinPlan
{
    public const long MinMemoryBytes = 128L << 20;
    public const long MaxMemoryBytes = 8L << 30;
    public const int MaxCpus = 16;
    public const int MaxProcesses = 64;
    /// <summary>Children of fork steps (in all, repeats counted).</summary>
    public const int MaxChildren = 64;
    public const int MaxSteps = 8192;
    public const int MaxRegions = 256;
    public const int MaxFiles = 64;
    public const long MaxSwapBytes = 64L << 30;

    public required Scenario Scenario { get; init; }
    /// <summary>The executor's input ("mmsim-plan 1").</summary>
    public required string Text { get; init; }
    /// <summary>Files in scenario order: on the VM's ext4 disk as /twinfs/f0, /twinfs/f1...</summary>
    public required IReadOnlyList<FileSpec> Files { get; init; }
    public long MemoryMiB => Scenario.Machine.MemoryBytes >> 20;

    public static string VmPath(int fileIndex) => $"/twinfs/f{fileIndex}";

    public static TwinPlan Build(Scenario s)
    {
        string src = s.SourceName;
        var m = s.Machine;
        if (m.PageSize != 4096)
            throw new InputException(src, m.Line,
                $"the twin cannot run page_size {Units.FormatSize(m.PageSize)}: it is a real x86-64 VM, whose base page is 4 KiB");
        if (m.Translation != "x86_64")
            throw new InputException(src, m.Line,
                $"the twin cannot run machine.translation {m.Translation}: its VM's kernel uses 4-level paging");
        if (m.MemoryBytes % (1 << 20) != 0)
            throw new InputException(src, m.Line, "the twin needs machine.memory in whole MiB (qemu's -m)");
        long hostLimit = Math.Min(MaxMemoryBytes, HostAvailableBytes() / 2);
        if (m.MemoryBytes < MinMemoryBytes || m.MemoryBytes > hostLimit)
            throw new InputException(src, m.Line,
                $"the twin cannot boot a {Units.FormatSize(m.MemoryBytes)} machine: its VM takes " +
                $"{Units.FormatSize(MinMemoryBytes)} to {Units.FormatSize(hostLimit)} of RAM on this host " +
                $"(at most {Units.FormatSize(MaxMemoryBytes)}, and half of the host's available memory)");
        if (m.SwapBytes > MaxSwapBytes)
            throw new InputException(src, m.Line, $"the twin's swap disk is limited to {Units.FormatSize(MaxSwapBytes)}");
        if (m.Cpus > MaxCpus)
            throw new InputException(src, m.Line, $"the twin's VM has at most {MaxCpus} CPUs, the scenario asks for {m.Cpus}");
        if (s.Processes.Count > MaxProcesses)
            throw new InputException(src, 0, $"the twin runs at most {MaxProcesses} processes, the scenario has {s.Processes.Count}");
        CheckCgroups(s);
        if (s.Files.Count > MaxFiles)
            throw new InputException(src, 0, $"the twin supports at most {MaxFiles} files, the scenario has {s.Files.Count}");

        var sb = new StringBuilder();
        sb.Append("mmsim-plan 1\n");
        sb.Append($"seed {s.Seed}\n");
        // Children of fork steps take the simulated pids after the scenario's, in fork order (their Pcg32 stream).
        sb.Append($"nextpid {(s.Processes.Count == 0 ? 1000 : s.Processes.Max(p => p.Pid) + 1)}\n");
        for (int i = 0; i < s.Files.Count; i++) sb.Append($"file {i} {VmPath(i)}\n");
        var cgIndex = EmitCgroups(s, sb);
        int total = 0;
        var ordered = s.Processes.Select((p, i) => (p, i)).OrderBy(x => x.p.StartAtNs).ToList();
        foreach (var (p, idx) in ordered)
        {
            sb.Append($"proc {idx} {p.Pid} {p.StartAtNs} {OomScoreAdjOf(p)} {p.Comm}\n");
            if (p.Cgroup is { } cg) sb.Append($"cg {cgIndex[cg]}\n");
            // A Burstable container's oom_score_adj depends on the node's capacity (MemTotal), read in the VM.
            if (p.Pod is { Qos: QosClass.Burstable }) sb.Append($"kubereq {p.Container!.MemoryRequest ?? 0}\n");
            if (p.StartAfterIndex >= 0) sb.Append($"after {p.StartAfterIndex}\n"); // start_at is then a delay after it
            var slots = new Dictionary<string, int>();
            var lengths = new Dictionary<string, long>();
            total += Emit(s, p, p.Name, p.Steps, sb, slots, lengths);
            if (total > MaxSteps)
                throw new InputException(src, p.Line, $"the twin's executor takes at most {MaxSteps} steps in all (repeat bodies count once)");
            if (slots.Count > MaxRegions)
                throw new InputException(src, p.Line, $"the twin's executor takes at most {MaxRegions} region names per process");
        }
        long forks = s.Processes.Sum(p => Forks(p.Steps));
        if (forks > MaxChildren)
            throw new InputException(src, 0, $"the twin runs at most {MaxChildren} children of fork steps, the scenario may fork {forks}");
        return new TwinPlan { Scenario = s, Text = sb.ToString(), Files = s.Files };
    }

    public const int MaxCgroups = 64;
    public const int MaxCgroupPath = 150;

    /// <summary>
    /// What the twin can build: at most <see cref="MaxCgroups"/> cgroups with short paths. (A process in a cgroup
    /// that has child cgroups, which cgroup v2 refuses, is refused by the scenario's validation already:
    /// <see cref="CgroupValidator"/>.)
    /// </summary>
    private static void CheckCgroups(Scenario s)
    {
        string src = s.SourceName;
        if (s.Cgroups.Count > MaxCgroups)
            throw new InputException(src, s.Cgroups[MaxCgroups].Line, $"the twin creates at most {MaxCgroups} cgroups, the scenario has {s.Cgroups.Count}");
        foreach (var c in s.Cgroups)
        {
            if (c.Path.Length > MaxCgroupPath)
                throw new InputException(src, c.Line, $"the twin takes cgroup paths of at most {MaxCgroupPath} characters: '{c.Path}'");
            if (c.Path.Any(ch => ch is ' ' or '\n'))
                throw new InputException(src, c.Line, $"the twin cannot create cgroup '{c.Path}': its path has a space");
        }
    }

    /// <summary>The cgroups in creation order (parents first, as the validator sorted them) with the memory files the
    /// scenario sets; returns each path's index.</summary>
    private static Dictionary<string, int> EmitCgroups(Scenario s, StringBuilder sb)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in s.Cgroups)
        {
            int i = index[c.Path] = index.Count;
            sb.Append($"cgroup {i} {c.Path}\n");
            // page_counter_memparse rounds a byte value down to pages; the files are written as the scenario says.
            if (c.Max is long max) sb.Append($"cgset {i} memory.max {max}\n");
            // The kubelet's kubepods: memory.max = node capacity (MemTotal; no kube or system reserved).
            else if (s.Pods.Count > 0 && c.FromPod && c.Path == "kubepods") sb.Append($"cgset {i} memory.max memtotal\n");
            if (c.High is long high) sb.Append($"cgset {i} memory.high {high}\n");
            if (c.Low != 0) sb.Append($"cgset {i} memory.low {(c.Low == long.MaxValue ? "max" : c.Low)}\n");
            if (c.Min != 0) sb.Append($"cgset {i} memory.min {(c.Min == long.MaxValue ? "max" : c.Min)}\n");
            if (c.SwapMax is long sm) sb.Append($"cgset {i} memory.swap.max {sm}\n");
            if (c.OomGroup) sb.Append($"cgset {i} memory.oom.group 1\n");
        }
        return index;
    }

    /// <summary>The process's oom_score_adj: the scenario's, or the kubelet's for a pod's container (Guaranteed −997,
    /// BestEffort 1000; Burstable is computed in the VM from its MemTotal, see the plan's <c>kubereq</c>).</summary>
    private static int OomScoreAdjOf(ProcessSpec p) => p.Pod?.Qos switch
    {
        QosClass.Guaranteed => Memcg.Kubelet.GuaranteedOomScoreAdj,
        QosClass.BestEffort => Memcg.Kubelet.BestEffortOomScoreAdj,
        QosClass.Burstable => 999,
        _ => p.OomScoreAdj,
    };

    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static int Prot(Prot p) => (int)p; // PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4: the same bits

    /// <summary>How many children the steps fork at most (repeats and the children's own forks counted).</summary>
    private static long Forks(List<Step> steps)
    {
        long n = 0;
        foreach (var step in steps)
        {
            if (step is ForkStep f) n += 1 + Forks(f.Steps);
            else if (step is RepeatStep r) n += Math.Min(1L << 20, r.Times) * Forks(r.Steps);
            if (n > 1L << 20) return n;
        }
        return n;
    }

    private static string CommOf(string name) => name.Length > ProcessSpec.CommLength ? name[..ProcessSpec.CommLength] : name;

    /// <summary>Writes the steps flattened (a repeat or a fork is followed by its body); returns how many lines.
    /// <paramref name="name"/> is the running process's name (a fork without a name gives the child this one).</summary>
    private static int Emit(Scenario s, ProcessSpec p, string name, List<Step> steps, StringBuilder sb,
        Dictionary<string, int> slots, Dictionary<string, long> lengths)
    {
        int n = 0;
        int Slot(string name)
        {
            if (!slots.TryGetValue(name, out int i)) slots[name] = i = slots.Count;
            return i;
        }
        long Page(long v) => (v + 4095) / 4096 * 4096;
        foreach (var step in steps)
        {
            n++;
            switch (step)
            {
                case AllocStep a:
                    lengths[a.Name] = Page(a.SizeBytes);
                    sb.Append($"step alloc {Slot(a.Name)} {Page(a.SizeBytes)} {Prot(a.Prot)}\n");
                    break;
                case TouchStep t:
                {
                    long len = t.LengthBytes ?? lengths.GetValueOrDefault(t.Region) - t.OffsetBytes;
                    sb.Append($"step touch {Slot(t.Region)} {(t.Write ? 1 : 0)} {t.StrideBytes} {t.OffsetBytes} {Math.Max(0, len)} {t.ThinkNs}\n");
                    break;
                }
                case AccessStep a when a.Region is not null:
                {
                    int pattern = a.Pattern switch { AccessPattern.Sequential => 0, AccessPattern.Random => 1, _ => 2 };
                    double ratio = a.Exec ? 0 : a.WriteRatio;
                    sb.Append($"step access {Slot(a.Region)} {pattern} {a.Count} {D(ratio)} {D(a.ZipfAlpha)} {(a.Exec ? 1 : 0)} {a.ThinkNs}\n");
                    break;
                }
                case AccessStep a:
                    sb.Append($"step accaddr {a.Address} {a.Count} {(a.Write ? 1 : 0)} {(a.Exec ? 1 : 0)} {a.ThinkNs}\n");
                    break;
                case MapFileStep mf:
                {
                    int fi = s.Files.FindIndex(f => f.Path == mf.Path);
                    long offset = mf.OffsetBytes & ~4095L;
                    long len = mf.LengthBytes ?? Math.Max(0, s.Files[fi].SizeBytes - offset);
                    lengths[mf.Name] = Page(len);
                    sb.Append($"step mapfile {Slot(mf.Name)} {fi} {Prot(mf.Prot)} {(mf.Shared ? 1 : 0)} {offset} {len}\n");
                    break;
                }
                case ReadFileStep r:
                    sb.Append($"step read {s.Files.FindIndex(f => f.Path == r.Path)} {r.OffsetBytes} {r.SizeBytes}\n");
                    break;
                case WriteFileStep w:
                    sb.Append($"step write {s.Files.FindIndex(f => f.Path == w.Path)} {w.OffsetBytes} {w.SizeBytes}\n");
                    break;
                case FreeStep f:
                    sb.Append($"step free {Slot(f.Region)}\n");
                    break;
                case MlockStep ml:
                    sb.Append($"step mlock {Slot(ml.Region)}\n");
                    break;
                case SleepStep sl:
                    sb.Append($"step sleep {sl.DurationNs}\n");
                    break;
                case ForkStep fk:
                {
                    // The child knows the parent's regions (the same slots) and runs the body; the parent skips it.
                    string child = fk.Name ?? name;
                    var body = new StringBuilder();
                    int inner = Emit(s, p, child, fk.Steps, body, new Dictionary<string, int>(slots), new Dictionary<string, long>(lengths));
                    sb.Append($"step fork {inner} {CommOf(child)}\n").Append(body);
                    n += inner;
                    break;
                }
                case ExitStep e:
                    sb.Append($"step exit {e.Code}\n");
                    break;
                case RepeatStep r:
                {
                    var body = new StringBuilder();
                    int inner = Emit(s, p, name, r.Steps, body, slots, lengths);
                    sb.Append($"step repeat {r.Times} {inner}\n").Append(body);
                    n += inner;
                    break;
                }
                default:
                    throw new InputException(s.SourceName, step.Line, $"the twin cannot run the step '{step.Kind}' yet");
            }
        }
        return n;
    }

    /// <summary>The /proc/sys/vm settings of the scenario, as (path, value) pairs written by the VM's init.</summary>
    public IEnumerable<(string Path, string Value)> Sysctls()
    {
        var v = Scenario.Vm;
        const string vm = "/proc/sys/vm/";
        if (v.MinFreeKbytes is long mfk) yield return (vm + "min_free_kbytes", mfk.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "watermark_scale_factor", v.WatermarkScaleFactor.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "lowmem_reserve_ratio", string.Join(' ', v.LowmemReserveRatio));
        yield return (vm + "swappiness", v.Swappiness.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "overcommit_memory", v.OvercommitMemory.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "overcommit_ratio", v.OvercommitRatio.ToString(CultureInfo.InvariantCulture));
        if (v.OvercommitKbytes > 0) yield return (vm + "overcommit_kbytes", v.OvercommitKbytes.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "dirty_ratio", v.DirtyRatio.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "dirty_background_ratio", v.DirtyBackgroundRatio.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "oom_dump_tasks", v.OomDumpTasks.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "dirty_expire_centisecs", v.DirtyExpireCentisecs.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "dirty_writeback_centisecs", v.DirtyWritebackCentisecs.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "panic_on_oom", v.PanicOnOom.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "oom_kill_allocating_task", v.OomKillAllocatingTask.ToString(CultureInfo.InvariantCulture));
        yield return (vm + "page-cluster", v.PageCluster.ToString(CultureInfo.InvariantCulture));
        yield return ("/sys/kernel/debug/fault_around_bytes", v.FaultAroundBytes.ToString(CultureInfo.InvariantCulture));
        yield return ("/sys/kernel/mm/transparent_hugepage/enabled", Scenario.Machine.TransparentHugepage);
    }

    private static long HostAvailableBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return MaxMemoryBytes * 2;
    }
}
