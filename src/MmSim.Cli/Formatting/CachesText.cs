using System.Globalization;
using MmSim.Cache;
using MmSim.Reports;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>
/// The memory hierarchy in the terminal: a table of the levels (geometry, latency, hits, misses, hit ratio, the
/// accesses each served and the time that cost) and two bar charts, accesses served and time spent per level.
/// </summary>
public static class CachesText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(IAnsiConsole c, CachesReport r, string title)
    {
        var t = new Table().Title($"{Markup.Escape(title)}, {r.ClockGhz.ToString(Inv)} GHz").Border(TableBorder.Simple);
        foreach (var h in new[] { "level", "size", "ways", "line", "latency", "hits", "misses", "hit ratio", "served", "time" })
            t.AddColumn(new TableColumn(h).RightAligned());
        t.Columns[0].LeftAligned();
        long total = r.Levels.Sum(l => l.Served) + r.RamAccesses;
        foreach (var l in r.Levels)
            t.AddRow(l.Name, CacheHierarchy.Size(l.SizeBytes ?? 0), (l.Ways ?? 0).ToString(Inv), $"{l.LineBytes} B",
                Latency(l.LatencyCycles ?? 0, r.ClockGhz), l.Hits.ToString(Inv), l.Misses.ToString(Inv), Ratio(l.HitRatio),
                Share(l.Served, total), Time(l.TimeNs ?? 0));
        t.AddRow("ram", "", "", "", $"{r.RamLatencyNs.ToString("0.###", Inv)} ns", r.RamAccesses.ToString(Inv), "", "",
            Share(r.RamAccesses, total), Time(r.RamTimeNs));
        c.Write(t);
        c.WriteLine(string.Create(Inv, $"accesses {r.Accesses}, AMAT {r.AmatCycles:F3} cycles ({r.AmatNs:F3} ns)"));
        var served = new BarChart().Width(72).Label("accesses served by each level").LeftAlignLabel();
        var time = new BarChart().Width(72).Label("time spent in each level (ns)").LeftAlignLabel();
        var colors = new[] { Color.Green, Color.Teal, Color.Blue, Color.Purple };
        for (int i = 0; i < r.Levels.Count; i++)
        {
            served.AddItem(r.Levels[i].Name, r.Levels[i].Served, colors[i % colors.Length]);
            time.AddItem(r.Levels[i].Name, Math.Round(r.Levels[i].TimeNs ?? 0, 1), colors[i % colors.Length]);
        }
        served.AddItem("ram", r.RamAccesses, Color.Red);
        time.AddItem("ram", Math.Round(r.RamTimeNs, 1), Color.Red);
        c.Write(served);
        c.Write(time);
        c.WriteLine();
    }

    /// <summary>One row per process: its hit ratio at each level, RAM accesses and its time split by level.</summary>
    public static void Processes(IAnsiConsole c, RunReport r)
    {
        var rows = r.Processes.Where(p => p.Caches is not null).ToList();
        if (rows.Count == 0) return;
        var levels = rows[0].Caches!.Levels.Select(l => l.Name).ToList();
        var t = new Table().Title("CPU caches per process (hit ratio; time in ns)").Border(TableBorder.Simple);
        t.AddColumn(new TableColumn("pid").RightAligned());
        t.AddColumn("name");
        t.AddColumn(new TableColumn("accesses").RightAligned());
        foreach (var l in levels) t.AddColumn(new TableColumn(l).RightAligned());
        t.AddColumn(new TableColumn("ram").RightAligned());
        foreach (var k in rows[0].Caches!.TimeNs.Keys) t.AddColumn(new TableColumn($"{k} ns").RightAligned());
        foreach (var p in rows)
        {
            var pc = p.Caches!;
            var cells = new List<string> { p.Pid.ToString(Inv), Markup.Escape(p.Name), pc.Accesses.ToString(Inv) };
            cells.AddRange(pc.Levels.Select(l => Ratio(l.HitRatio)));
            cells.Add(pc.RamAccesses.ToString(Inv));
            cells.AddRange(pc.TimeNs.Values.Select(v => v.ToString("0.#", Inv)));
            t.AddRow(cells.ToArray());
        }
        c.Write(t);
        c.WriteLine();
    }

    private static string Ratio(double? r) => r is { } v ? v.ToString("0.0000", Inv) : "-";
    private static string Share(long n, long total) => total == 0 ? "0" : string.Create(Inv, $"{n} ({100.0 * n / total:0.0}%)");
    private static string Time(double ns) => ns.ToString("0.#", Inv) + " ns";
    private static string Latency(double cycles, double ghz) => string.Create(Inv, $"{cycles:0.##} cyc = {cycles / ghz:0.##} ns");
}
