using MmSim.Machine;

namespace MmSim.Web.Lab;

/// <summary>
/// Builds the step mode's events of a run: the event log's process events and OOM kills, the vmscan
/// tracepoints (kswapd waking and sleeping, direct-reclaim stalls, the OOM killer's choice), and swap-out bursts
/// found in the timeline (runs of rows where pswpout grew). Each gets the numbers its sentence names.
/// </summary>
public static class StepBuilder
{
    /// <summary>At most this many of each frequent kind (kswapd wake/sleep, direct reclaim) are listed; the rest
    /// are counted in <c>dropped</c>. Process events and OOM kills are always listed.</summary>
    public const int MaxPerFrequentKind = 500;

    public static (List<LabStep> Steps, long Dropped) Build(SimMachine m, IReadOnlyList<RunRecorder.Row> rows)
    {
        var k = m.Kernel;
        var comm = new Dictionary<int, string>();
        foreach (var t in m.Tasks) comm[t.Pid] = t.Comm;
        string Comm(int pid) => comm.TryGetValue(pid, out var c) ? c : "?";
        long kbPerPage = k.PageSize / 1024;
        // Each step with its place in the order things happened: log line i at 2i+1, a tracepoint hit after i lines
        // at 2i (before line i), so both merge in occurrence order.
        var steps = new List<(LabStep Step, long Order)>();
        long dropped = 0;
        var perKind = new Dictionary<string, int>();
        bool Frequent(string kind)
        {
            perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            if (perKind[kind] <= MaxPerFrequentKind) return true;
            dropped++;
            return false;
        }

        var victims = new Dictionary<(long, int), TracePoint>();
        foreach (var p in k.Trace?.Points ?? [])
        {
            switch (p.Name)
            {
                case TraceLog.KswapdWake:
                    if (Frequent("kswapd_wake"))
                        steps.Add((new LabStep(p.TimeNs, "kswapd_wake", 0, new Dictionary<string, object>
                        {
                            ["free_kb"] = p.Free * kbPerPage, ["low_kb"] = p.Watermark * kbPerPage,
                        }, null), 2L * p.LogPosition));
                    break;
                case TraceLog.KswapdSleep:
                    if (Frequent("kswapd_sleep"))
                        steps.Add((new LabStep(p.TimeNs, p.Reclaimed >= Reclaim.Kswapd.MaxReclaimRetries ? "kswapd_give_up" : "kswapd_sleep", 0,
                            new Dictionary<string, object>
                            {
                                ["free_kb"] = p.Free * kbPerPage, ["high_kb"] = p.Watermark * kbPerPage,
                            }, null), 2L * p.LogPosition));
                    break;
                case TraceLog.DirectReclaim:
                    if (Frequent("direct_reclaim"))
                        steps.Add((new LabStep(p.TimeNs, "direct_reclaim", p.Pid, new Dictionary<string, object>
                        {
                            ["comm"] = Comm(p.Pid), ["pid"] = p.Pid, ["stall_ns"] = p.EndNs - p.TimeNs,
                            ["free_kb"] = p.Free * kbPerPage, ["min_kb"] = p.Watermark * kbPerPage,
                            ["reclaimed_kb"] = p.Reclaimed * kbPerPage,
                        }, null), 2L * p.LogPosition));
                    break;
                case TraceLog.MarkVictim:
                    victims[(p.TimeNs, p.Pid)] = p;
                    break;
            }
        }

        var oomKilled = new HashSet<(long, int)>();
        for (int i = 0; i < k.Log.Events.Count; i++)
        {
            var e = k.Log.Events[i];
            long order = 2L * i + 1;
            var args = new Dictionary<string, object> { ["comm"] = Comm(e.Pid), ["pid"] = e.Pid };
            switch (e.Type)
            {
                case EventTypes.OomKill:
                    oomKilled.Add((e.TimeNs, e.Pid));
                    string kind = "oom_kill";
                    if (victims.TryGetValue((e.TimeNs, e.Pid), out var v))
                    {
                        args["points"] = v.Points;
                        if (v.NextPid != 0)
                        {
                            kind = "oom_kill_next";
                            args["next_pid"] = v.NextPid;
                            args["next_comm"] = Comm(v.NextPid);
                            args["next_points"] = v.NextPoints;
                        }
                    }
                    else kind = "oom_kill_allocating";
                    steps.Add((new LabStep(e.TimeNs, kind, e.Pid, args, e.Message), order));
                    break;
                case EventTypes.Killed:
                    if (!oomKilled.Contains((e.TimeNs, e.Pid))) steps.Add((new LabStep(e.TimeNs, "killed", e.Pid, args, e.Message), order));
                    break;
                case EventTypes.Start or EventTypes.Exit or EventTypes.Segv or EventTypes.Enomem or EventTypes.AllocFail
                    or EventTypes.Panic:
                    steps.Add((new LabStep(e.TimeNs, e.Type, e.Pid, args, e.Message), order));
                    break;
            }
        }

        var ordered = steps.OrderBy(x => x.Order).Select(x => x.Step).ToList();

        // Swap-out bursts: consecutive rows over which pswpout grew; each goes before the first step after the first
        // sample that saw it.
        int pswpout = Array.IndexOf(RunRecorder.Columns, "pswpout");
        for (int i = 1; i < rows.Count; i++)
        {
            if (rows[i].Values[pswpout] == rows[i - 1].Values[pswpout]) continue;
            int start = i - 1;
            while (i + 1 < rows.Count && rows[i + 1].Values[pswpout] != rows[i].Values[pswpout]) i++;
            long pages = rows[i].Values[pswpout] - rows[start].Values[pswpout];
            long at = rows[start + 1].Values[0]; // the first sample that saw it
            long from = rows[start].Values[0];
            int pos = ordered.FindIndex(s => s.TimeNs > at);
            ordered.Insert(pos < 0 ? ordered.Count : pos, new LabStep(at, "swap_out", 0, new Dictionary<string, object>
            {
                ["pages"] = pages, ["size_kb"] = pages * kbPerPage, ["dur_ns"] = rows[i].Values[0] - from,
            }, null));
        }
        return (ordered, dropped);
    }
}
