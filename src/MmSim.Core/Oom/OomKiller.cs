using MmSim.Machine;
using MmSim.Sched;

namespace MmSim.Oom;

/// <summary>
/// The OOM killer (mm/oom_kill.c, 6.1): out_of_memory picks the task with the highest oom_badness
/// (select_bad_process; on a tie the later task wins; oom_score_adj −1000 is never picked), or the allocating
/// task under vm.oom_kill_allocating_task, kills it with SIGKILL and logs the kernel's own lines. The victim's
/// memory is freed at once — what the OOM reaper achieves. vm.panic_on_oom panics instead.
/// </summary>
public sealed partial class OomKiller
{
    private readonly Kernel _k;
    private readonly Func<IReadOnlyList<SimTask>> _tasks;
    private readonly Action<SimTask, long, string, string> _kill;

    public OomKiller(Kernel kernel, Func<IReadOnlyList<SimTask>> tasks, Action<SimTask, long, string, string> kill)
    {
        _k = kernel;
        _tasks = tasks;
        _kill = kill;
    }

    /// <summary>totalpages for a global OOM: totalram_pages + total_swap_pages.</summary>
    public long TotalPages => _k.Phys.TotalRamPages + _k.TotalSwapPages;

    /// <summary>oom_badness of a live task (LONG_MIN when it cannot be picked).</summary>
    public long Badness(SimTask t)
    {
        var mm = t.Mm;
        bool unkillable = !t.HasMm;
        return OomBadness.Badness(mm.Rss, mm.SwapEnts, mm.PgtablesBytes, t.OomScoreAdj, TotalPages, _k.PageSize, unkillable);
    }

    /// <summary>/proc/PID/oom_score of a task.</summary>
    public long OomScore(SimTask t) => OomBadness.OomScore(Badness(t), _k.Phys.TotalRamPages + _k.TotalSwapPages);

    /// <summary>out_of_memory: true if a task was killed (memory was freed).</summary>
    public bool OutOfMemory(SimTask? current)
    {
        long now = _k.Now;
        string invoker = current?.Comm ?? "kswapd0";
        int invokerAdj = current?.OomScoreAdj ?? 0;
        _k.Log.Add(now, EventTypes.Oom, current?.Pid ?? 0,
            OomBadness.InvokedLine(invoker, 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", 0, invokerAdj));
        if (_k.Vm.PanicOnOom != 0)
        {
            _k.Panic("Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled");
            return false;
        }
        SimTask? victim = null;
        string prefix = OomBadness.GlobalPrefix;
        if (_k.Vm.OomKillAllocatingTask != 0 && current is not null && current.HasMm && current.OomScoreAdj != -1000)
        {
            victim = current;
            prefix = "Out of memory (oom_kill_allocating_task)";
        }
        else
        {
            long chosen = long.MinValue;
            foreach (var t in _tasks())
            {
                long points = Badness(t);
                if (points == long.MinValue || points < chosen) continue;
                victim = t;
                chosen = points;
            }
        }
        if (victim is null)
        {
            _k.Log.Add(now, EventTypes.Oom, 0, "Out of memory and no killable processes...");
            _k.Panic("Kernel panic - not syncing: System is deadlocked on memory");
            return false;
        }
        if (_k.Trace is { } trace) TraceVictim(trace, victim, now);
        if (_k.Vm.OomDumpTasks != 0) DumpTasks(now);
        _k.Log.Add(now, EventTypes.Oom, victim.Pid, OomBadness.OomKillSummaryLine(OomConstraint.None, null, "/", "0",
            null, victim.Memcg?.KernelPath ?? "/", victim.Comm, victim.Pid, 0));
        if (_k.Memcg is not null)
        {
            GlobalKillMemcg(victim, prefix); // memcg issue: memory.events oom_kill and memory.oom.group
            return true;
        }
        var mm = victim.Mm;
        long kb = _k.PageSize / 1024;
        _k.Log.Add(now, EventTypes.OomKill, victim.Pid, OomBadness.KilledLine(prefix, victim.Pid, victim.Comm,
            mm.TotalVm * kb, mm.RssAnon * kb, mm.RssFile * kb, mm.RssShmem * kb, 0, mm.PgtablesBytes >> 10, victim.OomScoreAdj));
        _k.Events.Inc(VmEvent.oom_kill);
        victim.OomKilled = true;
        _kill(victim, now, "SIGKILL", "killed by the OOM killer");
        _k.Log.Add(now, EventTypes.Oom, victim.Pid,
            $"oom_reaper: reaped process {victim.Pid} ({victim.Comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");
        return true;
    }

    /// <summary>mark_victim, with the victim's badness and the runner-up's (for the web lab's sentence).</summary>
    private void TraceVictim(TraceLog trace, SimTask victim, long now)
    {
        long points = Badness(victim), next = long.MinValue;
        int nextPid = 0;
        foreach (var t in _tasks())
        {
            if (t == victim) continue;
            long p = Badness(t);
            if (p != long.MinValue && p >= next) { next = p; nextPid = t.Pid; }
        }
        trace.Add(new TracePoint(now, TraceLog.MarkVictim, victim.Pid, _k.Phys.NrFreePages, 0, 0, now, points, nextPid, next));
    }

    /// <summary>dump_tasks (vm.oom_dump_tasks): one line per candidate, memory in pages (6.1 format).</summary>
    private void DumpTasks(long now)
    {
        _k.Log.Add(now, EventTypes.Oom, 0, OomBadness.DumpTasksTitle);
        _k.Log.Add(now, EventTypes.Oom, 0, OomBadness.DumpTasksHeader);
        foreach (var t in _tasks())
        {
            if (!t.HasMm) continue;
            var mm = t.Mm;
            _k.Log.Add(now, EventTypes.Oom, 0, OomBadness.DumpTaskRow(t.Pid, 0, t.Pid, mm.TotalVm, mm.Rss, mm.PgtablesBytes,
                mm.SwapEnts, t.OomScoreAdj, t.Comm));
        }
    }
}
