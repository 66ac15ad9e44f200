namespace MmSim.Host;

/// <summary>The OOM view of a whole /proc tree: totalpages and every process with an mm, in victim order.</summary>
public sealed record HostOomSnapshot(HostMeminfo Meminfo, int PageSize, long TotalPages, IReadOnlyList<HostProcess> Processes);

/// <summary>
/// Reads a Linux /proc tree (the live one or a copy) and scores its processes with <see cref="Oom.OomBadness"/>.
/// For each numeric directory: comm, status, oom_score_adj, stat (start time) and, when readable, the kernel's own
/// oom_score. Kernel threads (no Vm lines, or "Kthread: 1") are skipped; a process that exits mid-read is skipped.
/// Like <c>find_lock_task_mm</c>, a thread-group leader that has dropped its mm (a zombie leader with live threads)
/// is scored from the first thread under task/ that still has one.
/// Not visible from /proc, so not modelled: <c>MMF_OOM_SKIP</c> (already reaped), <c>in_vfork</c>, an existing OOM
/// victim (which makes the kernel abort selection), <c>oom_task_origin</c> (swapoff, KSM: LONG_MAX), cpuset and
/// mempolicy eligibility. Pid 1 is treated as global init, which is wrong for a container's /proc.
/// </summary>
public sealed class HostProcReader
{
    public string Root { get; }
    public int PageSize { get; }

    public HostProcReader(string procRoot = "/proc", int? pageSize = null)
    {
        Root = procRoot;
        PageSize = pageSize ?? (Environment.SystemPageSize > 0 ? Environment.SystemPageSize : 4096);
        if (PageSize < 1024 || (PageSize & (PageSize - 1)) != 0)
            throw new InputException("--page-size", 0, $"expected a power of two of at least 1024, got {PageSize}");
    }

    public HostOomSnapshot Read()
    {
        if (!Directory.Exists(Root)) throw new InputException(Root, 0, "no such directory");
        var meminfo = ReadMeminfo();
        long totalPages = meminfo.TotalPages(PageSize);
        var processes = new List<HostProcess>();
        foreach (int pid in Pids())
            if (ReadProcess(pid, totalPages) is { } p) processes.Add(p);
        return new HostOomSnapshot(meminfo, PageSize, totalPages, OomVictimOrder.Sort(processes));
    }

    public HostMeminfo ReadMeminfo()
    {
        string path = Path.Combine(Root, "meminfo");
        string text = ProcFiles.TryRead(path) ?? throw new InputException(path, 0, "cannot read meminfo");
        var m = HostMeminfo.Parse(text, path);
        if (m.TotalPages(PageSize) <= 0) throw new InputException(path, 0, "MemTotal + SwapTotal is 0");
        return m;
    }

    /// <summary>The numeric directories of the tree, ascending.</summary>
    public List<int> Pids()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories(Root))
            if (int.TryParse(Path.GetFileName(dir), out int pid) && pid > 0) pids.Add(pid);
        pids.Sort();
        return pids;
    }

    /// <summary>The status of a process as the OOM killer sees its mm, or null if it is gone or is a kernel thread.</summary>
    public ProcStatus? ReadStatus(int pid)
    {
        string dir = Path.Combine(Root, pid.ToString());
        string? text = ProcFiles.TryRead(Path.Combine(dir, "status"));
        if (text is null) return null;
        var status = ProcStatus.Parse(text);
        if (status.Kthread) return null;
        if (status.HasMm) return status;
        // find_lock_task_mm: any thread of the group that still has an mm.
        string taskDir = Path.Combine(dir, "task");
        if (!Directory.Exists(taskDir)) return null;
        try
        {
            foreach (var t in Directory.EnumerateDirectories(taskDir).OrderBy(d => d, StringComparer.Ordinal))
                if (ProcFiles.TryRead(Path.Combine(t, "status")) is { } tt && ProcStatus.Parse(tt) is { HasMm: true } ts)
                    return ts with { Name = status.Name, Uid = status.Uid };
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>oom_score_adj, or null if the process is gone.</summary>
    public int? ReadOomScoreAdj(int pid) => (int?)ProcFiles.TryReadLong(Path.Combine(Root, pid.ToString(), "oom_score_adj"));

    /// <summary>The kernel's /proc/PID/oom_score, or null.</summary>
    public long? ReadKernelOomScore(int pid) => ProcFiles.TryReadLong(Path.Combine(Root, pid.ToString(), "oom_score"));

    /// <summary>Reads and scores one process; null if it vanished or is a kernel thread.</summary>
    public HostProcess? ReadProcess(int pid, long totalPages)
    {
        string dir = Path.Combine(Root, pid.ToString());
        var status = ReadStatus(pid);
        if (status is null) return null;
        int? adj = ReadOomScoreAdj(pid);
        if (adj is null) return null;
        string comm = ProcFiles.TryRead(Path.Combine(dir, "comm"))?.TrimEnd('\n') ?? status.Name;
        long? start = ProcFiles.TryReadStartTime(Path.Combine(dir, "stat"));
        return HostProcess.Compute(pid, comm, status, adj.Value, totalPages, PageSize, start, ReadKernelOomScore(pid));
    }
}
