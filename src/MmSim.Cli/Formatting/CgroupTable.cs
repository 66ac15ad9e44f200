using MmSim.Reports;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>The text report's cgroup and pod tables (memcg issue).</summary>
public static class CgroupTable
{
    public static void Write(IAnsiConsole c, RunReport r)
    {
        if (r.Cgroups is null) return;
        var t = new Table().Title("memory cgroups (bytes; memory.events)").Border(TableBorder.Simple);
        foreach (var h in new[] { "path", "memory.max", "memory.high", "memory.low", "memory.current", "memory.peak", "swap.current",
                     "low", "high", "max", "oom", "oom_kill", "oom_group_kill", "some total µs", "full total µs" })
            t.AddColumn(new TableColumn(h).RightAligned());
        t.Columns[0].LeftAligned();
        foreach (var g in r.Cgroups)
        {
            var e = g.Events;
            t.AddRow(Markup.Escape("/" + g.Path), $"{g.Files["memory.max"]}", $"{g.Files["memory.high"]}", $"{g.Files["memory.low"]}",
                $"{g.Files["memory.current"]}", $"{g.Files["memory.peak"]}", $"{g.Files["memory.swap.current"]}",
                $"{e["low"]}", $"{e["high"]}", $"{e["max"]}", $"{e["oom"]}", $"{e["oom_kill"]}", $"{e["oom_group_kill"]}",
                $"{g.Pressure.Some["total"]}", $"{g.Pressure.Full["total"]}");
        }
        c.Write(t);
        if (r.Pressure is { } p)
        {
            c.WriteLine("/proc/pressure/memory");
            foreach (var line in p.Text) c.WriteLine(line);
        }
        c.WriteLine();
        if (r.Pods is null) return;
        var pt = new Table().Title("pods").Border(TableBorder.Simple);
        foreach (var h in new[] { "pod", "QoS class", "container", "pid", "oom_score_adj", "state", "OOM kill" }) pt.AddColumn(h);
        foreach (var pod in r.Pods)
            foreach (var ct in pod.Containers)
                pt.AddRow(Markup.Escape(pod.Name), pod.QosClass, Markup.Escape(ct.Name), ct.Pid.ToString(), ct.OomScoreAdj.ToString(), ct.State,
                    ct.OomKill switch { "container" => "container OOM kill (its own limit)", "node" => "node OOM kill", _ => "-" });
        c.Write(pt);
        c.WriteLine();
    }
}
