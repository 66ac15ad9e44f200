using MmSim.Sched;

namespace MmSim.Memcg;

/// <summary>memory.events keys (enum memcg_memory_event), in the order the file prints them.</summary>
public enum MemcgEvent { Low, High, Max, Oom, OomKill, OomGroupKill }

/// <summary>
/// A memory cgroup (<c>struct mem_cgroup</c>): its place in the tree, the memory and swap page counters, the
/// memory.high and memory.oom.group settings, its events, the tasks in it, and its own (non-hierarchical)
/// statistics. Id 0 is the root cgroup, which is never charged.
/// </summary>
public sealed class MemCgroup
{
    public static readonly string[] EventNames = ["low", "high", "max", "oom", "oom_kill", "oom_group_kill"];

    public readonly int Id;
    /// <summary>Path below the root without a leading '/': "" for the root, "batch/job1".</summary>
    public readonly string Path;
    public readonly MemCgroup? Parent;
    public readonly List<MemCgroup> Children = new();
    public readonly PageCounter Memory;
    public readonly PageCounter Swap;
    /// <summary>memory.high in pages (<see cref="PageCounter.Unlimited"/> = max).</summary>
    public long High = PageCounter.Unlimited;
    public bool OomGroup;
    /// <summary>This cgroup or an ancestor has a memory.high: charges must check it.</summary>
    public bool HighInPath;
    /// <summary>memory.events (hierarchical) and memory.events.local.</summary>
    public readonly long[] Events = new long[6];
    public readonly long[] EventsLocal = new long[6];
    /// <summary>memory.swap.events: high, max, fail.</summary>
    public long SwapEventMax, SwapEventFail;
    public readonly List<SimTask> Tasks = new();
    /// <summary>Local counters (this cgroup's pages only): reclaim scans and steals, refaults.</summary>
    public long PgScan, PgSteal, RefaultAnon, RefaultFile;
    /// <summary>Per-CPU memory of its children's statistics charged to this cgroup when they were made (memory.stat
    /// <c>percpu</c>, in bytes) and the pages that charge took (part of memory.current and of <c>kernel</c>).</summary>
    public long PercpuBytes, PercpuPages;
    /// <summary>Pressure stall information for memory.pressure.</summary>
    public readonly Psi.PsiGroup Psi = new();
    /// <summary>The spec's line, for messages.</summary>
    public int Line;

    public MemCgroup(int id, string path, MemCgroup? parent)
    {
        Id = id;
        Path = path;
        Parent = parent;
        // The root memcg's counters are left out of the hierarchy: the root is never limited or reported, and
        // charging one level less keeps the fault path cheap. A top-level cgroup's protection is then its own
        // setting, as page_counter_calculate_protection gives a child of the root.
        Memory = new PageCounter(parent is null || parent.IsRoot ? null : parent.Memory);
        Swap = new PageCounter(parent is null || parent.IsRoot ? null : parent.Swap);
        parent?.Children.Add(this);
    }

    public bool IsRoot => Parent is null;

    /// <summary>The path as the kernel prints it (cgroup_path): "/" for the root, else "/web".</summary>
    public string KernelPath => "/" + Path;

    /// <summary>True if <paramref name="ancestor"/> is this cgroup or one above it (mem_cgroup_is_descendant).</summary>
    public bool IsDescendantOf(MemCgroup ancestor)
    {
        for (var c = this; c is not null; c = c.Parent) if (ReferenceEquals(c, ancestor)) return true;
        return false;
    }

    /// <summary>This cgroup and every descendant, parents first.</summary>
    public IEnumerable<MemCgroup> Subtree()
    {
        yield return this;
        foreach (var c in Children) foreach (var d in c.Subtree()) yield return d;
    }

    /// <summary>memcg_memory_event: .local for this cgroup; memory.events for it and each ancestor below the root.</summary>
    public void Event(MemcgEvent e)
    {
        EventsLocal[(int)e]++;
        for (var c = this; c is not null && !c.IsRoot; c = c.Parent) c.Events[(int)e]++;
    }

    /// <summary>mem_cgroup_margin: pages that can still be charged before memory.max.</summary>
    public long Margin => Memory.Max == PageCounter.Unlimited ? long.MaxValue : Math.Max(0, Memory.Max - Memory.Usage);
}
