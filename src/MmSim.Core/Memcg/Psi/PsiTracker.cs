using MmSim.Sched;

namespace MmSim.Memcg.Psi;

/// <summary>
/// Gathers what PSI needs while the machine runs — when each task is off the run queue (blocked on I/O, asleep,
/// throttled) and when it is stalled on memory (direct or memcg reclaim on the CPU, the memory.high penalty sleep)
/// — and afterwards turns it into each group's some/full time (kernel/sched/psi.c test_state): SOME while a task of
/// the group is in a memory stall, FULL while, in addition, every runnable task of the group is one of the stalled
/// ones (tasks[RUNNING] == tasks[MEMSTALL_RUNNING], 5.17+). Groups are the machine and each cgroup with its
/// descendants' tasks.
/// Simplification: a group's state is taken over all its tasks together, not per CPU weighted by non-idle time;
/// on one CPU (the default) that is the kernel's computation.
/// Slices run ahead of each other in simulated time, so the states are swept after the run.
/// </summary>
public sealed class PsiTracker
{
    private readonly MemcgController _mc;
    // Per task: intervals as flat (start, end) pairs.
    private readonly Dictionary<SimTask, List<long>> _blocked = new();
    private readonly Dictionary<SimTask, List<long>> _stallRunning = new();
    private readonly Dictionary<SimTask, List<long>> _stallSleeping = new();

    public PsiTracker(MemcgController mc) => _mc = mc;

    private static void AddTo(Dictionary<SimTask, List<long>> d, SimTask t, long start, long end)
    {
        if (end <= start) return;
        if (!d.TryGetValue(t, out var l)) d[t] = l = new List<long>();
        if (l.Count > 0 && l[^1] == start) { l[^1] = end; return; } // adjacent: merge
        l.Add(start);
        l.Add(end);
    }

    /// <summary>psi_memstall_enter/leave around [start, end); running: on the CPU (reclaim) or asleep (throttled).</summary>
    public void Stall(SimTask t, long start, long end, bool running) =>
        AddTo(running ? _stallRunning : _stallSleeping, t, start, end);

    /// <summary>The task is off the run queue over [start, end) (psi_dequeue/psi_enqueue).</summary>
    public void Blocked(SimTask t, long start, long end) => AddTo(_blocked, t, start, end);

    /// <summary>Computes the machine's and every cgroup's pressure for a run that ended at <paramref name="endNs"/>.</summary>
    public void Finish(IReadOnlyList<SimTask> tasks, long endNs)
    {
        Compute(_mc.SystemPsi, tasks, endNs);
        foreach (var m in _mc.All)
        {
            if (m.IsRoot) continue;
            var members = new List<SimTask>();
            foreach (var t in tasks) if (t.Memcg is { } c && c.IsDescendantOf(m)) members.Add(t);
            Compute(m.Psi, members, endNs);
        }
    }

    private void Compute(PsiGroup g, List<SimTask> tasks, long endNs) => Compute(g, (IReadOnlyList<SimTask>)tasks, endNs);

    private void Compute(PsiGroup g, IReadOnlyList<SimTask> tasks, long endNs)
    {
        // (time, dRunning, dStall, dStallRunning)
        var ev = new List<(long T, int R, int S, int SR)>();
        foreach (var t in tasks)
        {
            if (t.StartNs < 0) continue;
            long life0 = t.StartNs, life1 = t.EndNs >= 0 ? t.EndNs : endNs;
            ev.Add((life0, 1, 0, 0));
            ev.Add((life1, -1, 0, 0));
            if (_blocked.TryGetValue(t, out var b))
                for (int i = 0; i < b.Count; i += 2)
                {
                    long s = Math.Max(b[i], life0), e = Math.Min(b[i + 1], life1);
                    if (e <= s) continue;
                    ev.Add((s, -1, 0, 0));
                    ev.Add((e, 1, 0, 0));
                }
            if (_stallRunning.TryGetValue(t, out var sr))
                for (int i = 0; i < sr.Count; i += 2) { ev.Add((sr[i], 0, 1, 1)); ev.Add((sr[i + 1], 0, -1, -1)); }
            if (_stallSleeping.TryGetValue(t, out var ss))
                for (int i = 0; i < ss.Count; i += 2)
                {
                    long e = Math.Min(ss[i + 1], life1);
                    if (e <= ss[i]) continue;
                    ev.Add((ss[i], 0, 1, 0));
                    ev.Add((e, 0, -1, 0));
                }
        }
        ev.Sort((a, b) => a.T.CompareTo(b.T));
        var times = new List<long> { 0 };
        var someAt = new List<long> { 0 };
        var fullAt = new List<long> { 0 };
        var someOn = new List<bool> { false };
        var fullOn = new List<bool> { false };
        int r = 0, s2 = 0, srn = 0;
        long some = 0, full = 0, last = 0;
        bool sOn = false, fOn = false;
        int k = 0;
        while (k < ev.Count)
        {
            long t = ev[k].T;
            if (sOn) some += t - last;
            if (fOn) full += t - last;
            last = t;
            while (k < ev.Count && ev[k].T == t) { r += ev[k].R; s2 += ev[k].S; srn += ev[k].SR; k++; }
            sOn = s2 > 0;
            fOn = s2 > 0 && r == srn;
            times.Add(t); someAt.Add(some); fullAt.Add(full); someOn.Add(sOn); fullOn.Add(fOn);
        }
        // Drop the leading duplicate at time 0 so the arrays stay sorted with unique times.
        if (times.Count > 1 && times[1] == 0) { times.RemoveAt(0); someAt.RemoveAt(0); fullAt.RemoveAt(0); someOn.RemoveAt(0); fullOn.RemoveAt(0); }
        g.SetSegments(times.ToArray(), someAt.ToArray(), fullAt.ToArray(), someOn.ToArray(), fullOn.ToArray());
        g.ComputeAverages(endNs);
    }
}
