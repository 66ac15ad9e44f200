namespace MmSim.Workloads;

/// <summary>One entry of <c>processes:</c>: a process that starts at <see cref="StartAtNs"/> and runs its steps.</summary>
public sealed class ProcessSpec
{
    /// <summary>The kernel keeps only the first 15 bytes as the task's comm (TASK_COMM_LEN 16); the simulator keeps
    /// the full name and reports <see cref="Comm"/> where Linux would.</summary>
    public const int CommLength = 15;

    public string Name { get; set; } = "";

    /// <summary>Set by <c>pid:</c> or assigned by the validator in order from 1000, skipping the pids taken
    /// explicitly. 0 before validation means "not set".</summary>
    public int Pid { get; set; }

    /// <summary>/proc/pid/oom_score_adj, -1000..1000; -1000 makes the process unkillable by the OOM killer.</summary>
    public int OomScoreAdj { get; set; }

    /// <summary>When the process starts: at this time, or with <see cref="StartAfter"/> this long after that process
    /// finished its steps or died.</summary>
    public long StartAtNs { get; set; }

    /// <summary><c>start_after:</c> the name of an earlier process; this one starts when that one has finished its
    /// steps (or died), plus <see cref="StartAtNs"/>. Orders phases by completion instead of by the clock, so a slow
    /// machine (the twin's VM under software emulation) runs them in the same order as the simulator.</summary>
    public string? StartAfter { get; set; }

    /// <summary>The index in <c>processes:</c> of <see cref="StartAfter"/>; -1 when none.</summary>
    public int StartAfterIndex { get; set; } = -1;

    /// <summary>Size of a stack mapping created at exec (<c>stack:</c>); 0 = none (the default).</summary>
    public long StackBytes { get; set; }

    public List<Step> Steps { get; set; } = [];

    /// <summary>Under segmentation: segments the process has from the start (<c>segments:</c>), pinned at a base
    /// or placed by the placement policy.</summary>
    public List<SegmentSpec> Segments { get; set; } = [];
    /// <summary>The cgroup it runs in (<c>cgroup:</c>, a path of <c>cgroups:</c>); null = the root cgroup.</summary>
    public string? Cgroup { get; set; }
    /// <summary>The pod and container it is, for a pod's process.</summary>
    public PodSpec? Pod { get; set; }
    public ContainerSpec? Container { get; set; }

    public int Line { get; set; }

    /// <summary>The name as /proc/pid/comm shows it: at most 15 characters.</summary>
    public string Comm => Name.Length > CommLength ? Name[..CommLength] : Name;
}
