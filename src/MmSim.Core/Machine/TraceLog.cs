namespace MmSim.Machine;

/// <summary>One tracepoint hit, named as in include/trace/events/vmscan.h. <see cref="Free"/> and
/// <see cref="Watermark"/> are pages (the free pages of the zones concerned and their watermarks, summed); for kswapd's
/// sleep <see cref="Reclaimed"/> is kswapd_failures; for direct reclaim
/// <see cref="Reclaimed"/> is nr_reclaimed and <see cref="EndNs"/> the end of the stall; for the OOM killer's
/// choice (mark_victim) <see cref="Points"/> is the victim's oom_badness and <see cref="NextPid"/>/<see cref="NextPoints"/>
/// the runner-up's (0 / long.MinValue when there was none).</summary>
public sealed record TracePoint(long TimeNs, string Name, int Pid, long Free, long Watermark, long Reclaimed, long EndNs,
    long Points = 0, int NextPid = 0, long NextPoints = long.MinValue)
{
    /// <summary>How many event-log lines were written before this hit: where it goes among them. Simulated clocks
    /// are per CPU and per kernel thread, so time alone does not give the order in which things happened.</summary>
    public int LogPosition { get; init; }
}

/// <summary>The vmscan tracepoints of a run, recorded only when asked for (the web lab draws them); capped so a
/// long run cannot grow it without bound.</summary>
public sealed class TraceLog(EventLog log, int limit = 20_000)
{
    public const string KswapdWake = "mm_vmscan_kswapd_wake";
    public const string KswapdSleep = "mm_vmscan_kswapd_sleep";
    public const string DirectReclaim = "mm_vmscan_direct_reclaim";
    /// <summary>include/trace/events/oom.h: the task the OOM killer picked.</summary>
    public const string MarkVictim = "mark_victim";

    private readonly List<TracePoint> _points = new();
    public IReadOnlyList<TracePoint> Points => _points;
    /// <summary>Hits not recorded because the log was full.</summary>
    public long Dropped { get; private set; }

    public void Add(TracePoint p)
    {
        if (_points.Count >= limit) { Dropped++; return; }
        _points.Add(p with { LogPosition = log.Events.Count });
    }

    /// <summary>One pass of direct reclaim by <paramref name="pid"/>: merged with the previous pass when it
    /// continues it (same task, no gap), so one allocation stall is one entry (begin .. end).</summary>
    public void DirectReclaimPass(int pid, long startNs, long endNs, long reclaimed, long free, long minWmark)
    {
        if (_points.Count > 0 && _points[^1] is { Name: DirectReclaim } last && last.Pid == pid && last.EndNs == startNs
            && last.LogPosition == log.Events.Count)
        {
            _points[^1] = last with { EndNs = endNs, Reclaimed = last.Reclaimed + reclaimed };
            return;
        }
        Add(new TracePoint(startNs, DirectReclaim, pid, free, minWmark, reclaimed, endNs));
    }
}
