using ScottPlot;

namespace MmSim.Reports;

/// <summary>
/// The memory hierarchy as a PNG (ScottPlot): for each level (L1d, L1i, L2, L3, then RAM) two bars, the share of
/// all accesses it served and the share of the memory time it cost; the axis labels give each level's size and
/// latency. A level that serves few accesses but costs much time is where a program waits.
/// </summary>
public static class CachePlot
{
    public static void Write(string path, CachesReport r, string title, int width = 1000, int height = 600)
    {
        var plot = new Plot();
        long total = Math.Max(1, r.Levels.Sum(l => l.Served) + r.RamAccesses);
        double time = Math.Max(1e-9, r.Levels.Sum(l => l.TimeNs ?? 0) + r.RamTimeNs);
        var rows = r.Levels.Select(l => (Label: $"{l.Name}\n{Size(l.SizeBytes ?? 0)}, {Ns(l.LatencyCycles ?? 0, r.ClockGhz)}",
                                         Served: (double)l.Served, Time: l.TimeNs ?? 0))
            .Append(($"RAM\n{r.RamLatencyNs:0.#} ns", r.RamAccesses, r.RamTimeNs)).ToList();
        var served = new List<Bar>();
        var cost = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < rows.Count; i++)
        {
            double x = i * 3;
            double a = 100.0 * rows[i].Served / total, t = 100.0 * rows[i].Time / time;
            served.Add(new Bar { Position = x, Value = a, FillColor = Colors.SteelBlue, Label = $"{a:0.#}%" });
            cost.Add(new Bar { Position = x + 1, Value = t, FillColor = Colors.OrangeRed, Label = $"{t:0.#}%" });
            ticks.Add(new Tick(x + 0.5, rows[i].Label));
        }
        var b1 = plot.Add.Bars(served);
        b1.LegendText = "accesses served (%)";
        b1.ValueLabelStyle.FontSize = 12;
        var b2 = plot.Add.Bars(cost);
        b2.LegendText = "time spent (%)";
        b2.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title($"{title}: {total} accesses, AMAT {r.AmatNs:0.###} ns");
        plot.YLabel("% of accesses / % of memory time");
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }

    private static string Size(long bytes) => Cache.CacheHierarchy.Size(bytes);

    private static string Ns(double cycles, double ghz) => $"{cycles:0.#} cyc ({cycles / ghz:0.##} ns)";
}
