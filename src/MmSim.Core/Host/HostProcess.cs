using MmSim.Oom;

namespace MmSim.Host;

/// <summary>One process of a /proc tree with its OOM figures as the kernel would compute them.</summary>
public sealed record HostProcess
{
    public int Pid { get; init; }
    public string Comm { get; init; } = "";
    public int Uid { get; init; }
    public int OomScoreAdj { get; init; }
    public ProcStatus Status { get; init; } = new();
    /// <summary>starttime of /proc/PID/stat (clock ticks), used to approximate task-list order; null if unreadable.</summary>
    public long? StartTime { get; init; }
    /// <summary>Why <c>oom_badness</c> returns LONG_MIN ("init", "oom_score_adj=-1000"), or null.</summary>
    public string? UnkillableReason { get; init; }
    /// <summary><c>oom_badness</c> in pages; <c>long.MinValue</c> when never chosen.</summary>
    public long Badness { get; init; }
    /// <summary>Our <c>/proc/PID/oom_score</c>.</summary>
    public long OomScore { get; init; }
    /// <summary>What the kernel's /proc/PID/oom_score said, when it could be read.</summary>
    public long? KernelOomScore { get; init; }

    public bool Eligible => Badness != long.MinValue;

    /// <summary>Scores a process from its status and oom_score_adj. Pid 1 is global init
    /// (<c>oom_unkillable_task</c>: <c>is_global_init</c>), which is right for the init pid namespace's /proc.</summary>
    public static HostProcess Compute(int pid, string comm, ProcStatus status, int oomScoreAdj, long totalPages, int pageSize,
        long? startTime = null, long? kernelOomScore = null)
    {
        int kbPerPage = pageSize / 1024;
        string? reason = pid == 1 ? "init" : oomScoreAdj == OomBadness.OOM_SCORE_ADJ_MIN ? "oom_score_adj=-1000" : null;
        long badness = OomBadness.Badness(status.RssKb / kbPerPage, status.VmSwapKb / kbPerPage, status.VmPteKb * 1024,
            oomScoreAdj, totalPages, pageSize, unkillable: pid == 1);
        return new HostProcess
        {
            Pid = pid, Comm = comm, Uid = status.Uid, OomScoreAdj = oomScoreAdj, Status = status, StartTime = startTime,
            UnkillableReason = reason, Badness = badness, OomScore = OomBadness.OomScore(badness, totalPages),
            KernelOomScore = kernelOomScore,
        };
    }
}
