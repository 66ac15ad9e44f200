using MmSim.Machine;
using MmSim.Memcg;
using MmSim.Sched;

namespace MmSim.Oom;

/// <summary>The memory cgroup OOM killer (memcg issue): out_of_memory with oc->memcg set, and memory.oom.group.</summary>
public sealed partial class OomKiller
{
    /// <summary>
    /// mem_cgroup_out_of_memory → out_of_memory for a cgroup over memory.max: only the tasks of that cgroup and its
    /// descendants are candidates (mem_cgroup_scan_tasks), scored by oom_badness with totalpages =
    /// mem_cgroup_get_max (memory.max + min(memory.swap.max, total swap) when swappiness ≠ 0); the kill is logged as
    /// "Memory cgroup out of memory". Nothing outside the cgroup is touched. False when no task could be killed.
    /// </summary>
    public bool MemcgOutOfMemory(MemCgroup memcg, SimTask? current)
    {
        var mc = _k.Memcg!;
        long now = _k.Now;
        long kb = _k.PageSize / 1024;
        _k.Log.Add(now, EventTypes.Oom, current?.Pid ?? 0,
            OomBadness.InvokedLine(current?.Comm ?? "kswapd0", 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", 0, current?.OomScoreAdj ?? 0));
        // mem_cgroup_print_oom_meminfo (cgroup v2)
        string Limit(long pages) => pages == Memcg.PageCounter.Unlimited ? $"{long.MaxValue / _k.PageSize * kb}" : $"{pages * kb}"; // PAGE_COUNTER_MAX
        _k.Log.Add(now, EventTypes.Oom, 0, $"memory: usage {memcg.Memory.Usage * kb}kB, limit {Limit(memcg.Memory.Max)}kB, failcnt {memcg.Memory.Failcnt}");
        _k.Log.Add(now, EventTypes.Oom, 0, $"swap: usage {memcg.Swap.Usage * kb}kB, limit {Limit(memcg.Swap.Max)}kB, failcnt {memcg.Swap.Failcnt}");
        _k.Log.Add(now, EventTypes.Oom, 0, $"Memory cgroup stats for {memcg.KernelPath}:");
        long totalPages = mc.GetMax(memcg);
        if (totalPages == 0) totalPages = 1;
        SimTask? victim = null;
        long chosen = long.MinValue;
        foreach (var t in _tasks())
        {
            if (t.Memcg is not { } c || !c.IsDescendantOf(memcg)) continue;
            var mm = t.Mm;
            long points = OomBadness.Badness(mm.Rss, mm.SwapEnts, mm.PgtablesBytes, t.OomScoreAdj, totalPages, _k.PageSize, !t.HasMm);
            if (points == long.MinValue || points < chosen) continue;
            victim = t;
            chosen = points;
        }
        if (victim is null)
        {
            // out_of_memory: no panic for a memcg OOM; the charge fails with -ENOMEM.
            _k.Log.Add(now, EventTypes.Oom, 0, "Out of memory and no killable processes...");
            return false;
        }
        _k.Log.Add(now, EventTypes.Oom, victim.Pid, OomBadness.OomKillSummaryLine(OomConstraint.Memcg, null, "/", "0",
            memcg.KernelPath, victim.Memcg!.KernelPath, victim.Comm, victim.Pid, 0));
        KillWithGroup(victim, memcg, OomBadness.MemcgPrefix, "container");
        return true;
    }

    /// <summary>
    /// oom_kill_process after the victim is chosen: __oom_kill_process on it (the kill line, oom_kill in vmstat and
    /// in the victim's memory.events), then, when mem_cgroup_get_oom_group finds a memory.oom.group cgroup between the
    /// victim and the OOM domain, <c>oom_group_kill</c> once and every other task of that cgroup killed too
    /// (oom_kill_memcg_member skips oom_score_adj −1000). <paramref name="domain"/> null = global OOM.
    /// </summary>
    private void KillWithGroup(SimTask victim, MemCgroup? domain, string prefix, string kind)
    {
        var group = OomGroupOf(victim, domain);
        string line = KillOne(victim, prefix, kind);
        if (group is null) return;
        group.Event(MemcgEvent.OomGroupKill);
        _k.Log.Add(_k.Now, EventTypes.Oom, 0, $"Tasks in {group.KernelPath} are going to be killed due to memory.oom.group set");
        foreach (var t in _tasks())
        {
            if (t.Memcg is not { } c || !c.IsDescendantOf(group)) continue;
            if (ReferenceEquals(t, victim))
            {
                // oom_kill_memcg_member does not skip the victim: __oom_kill_process runs on it again, and since it
                // cannot have exited yet (the killer runs on, under oom_lock, in the charging task), find_lock_task_mm
                // still finds its mm, so it is logged and counted a second time (oom_kill in vmstat and memory.events).
                // The twin's kernel showed it: two tasks, oom_kill 3. On several CPUs the victim may exit first ("OOM
                // victim ... is already exiting"), giving 2: twin compare allows one count per group kill.
                _k.Log.Add(_k.Now, EventTypes.OomKill, victim.Pid, line);
                _k.Events.Inc(VmEvent.oom_kill);
                victim.Memcg?.Event(MemcgEvent.OomKill);
                continue;
            }
            if (!t.HasMm || t.OomScoreAdj == OomBadness.OOM_SCORE_ADJ_MIN) continue;
            KillOne(t, prefix, kind);
        }
    }

    /// <summary>mem_cgroup_get_oom_group: the highest cgroup with memory.oom.group from the victim's up to the OOM
    /// domain (inclusive; the root never counts).</summary>
    private static MemCgroup? OomGroupOf(SimTask victim, MemCgroup? domain)
    {
        if (victim.Memcg is not { } m || m.IsRoot) return null;
        if (domain is not null && !m.IsDescendantOf(domain)) return null;
        MemCgroup? group = null;
        for (var c = m; c is not null && !c.IsRoot; c = c.Parent)
        {
            if (c.OomGroup) group = c;
            if (ReferenceEquals(c, domain)) break;
        }
        return group;
    }

    /// <summary>__oom_kill_process for one task: the kill line, SIGKILL, the reaper's line.</summary>
    private string KillOne(SimTask victim, string prefix, string kind)
    {
        long now = _k.Now;
        var mm = victim.Mm;
        long kb = _k.PageSize / 1024;
        string line = OomBadness.KilledLine(prefix, victim.Pid, victim.Comm,
            mm.TotalVm * kb, mm.RssAnon * kb, mm.RssFile * kb, mm.RssShmem * kb, 0, mm.PgtablesBytes >> 10, victim.OomScoreAdj);
        _k.Log.Add(now, EventTypes.OomKill, victim.Pid, line);
        _k.Events.Inc(VmEvent.oom_kill);
        victim.Memcg?.Event(MemcgEvent.OomKill);
        victim.OomKilled = true;
        victim.OomKind = kind;
        _kill(victim, now, "SIGKILL", kind == "container" ? "killed by the memory cgroup OOM killer (container OOM kill)" : "killed by the OOM killer");
        _k.Log.Add(now, EventTypes.Oom, victim.Pid,
            $"oom_reaper: reaped process {victim.Pid} ({victim.Comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");
        return line;
    }

    /// <summary>The global OOM killer's kill when cgroups exist: the victim's memory.events and memory.oom.group.</summary>
    private void GlobalKillMemcg(SimTask victim, string prefix) => KillWithGroup(victim, null, prefix, "node");
}
