using MmSim.Physical;
using ScottPlot;

namespace MmSim.Reports;

/// <summary>Memory use over simulated time as a PNG (ScottPlot): free, anonymous and page-cache memory, with the
/// machine's min/low/high watermarks (summed over zones) drawn as horizontal lines.</summary>
public static class MemoryPlot
{
    public static void Write(string path, IReadOnlyList<TimelineSample> samples, IReadOnlyList<Zone> zones,
        int pageSize, string title, int width = 1000, int height = 600)
    {
        var plot = new Plot();
        double[] t = samples.Select(s => s.TimeNs / 1e6).ToArray();
        double Mib(long kb) => kb / 1024.0;
        void Line(string label, Func<TimelineSample, long> f)
        {
            var sc = plot.Add.Scatter(t, samples.Select(s => Mib(f(s))).ToArray());
            sc.LegendText = label;
            sc.MarkerSize = 0;
            sc.LineWidth = 2;
        }
        Line("MemFree", s => s.MemFreeKb);
        Line("AnonPages", s => s.AnonPagesKb);
        Line("Cached", s => s.CachedKb);
        Line("MemAvailable", s => s.MemAvailableKb);
        if (samples.Any(s => s.SwapUsedKb > 0)) Line("swap used", s => s.SwapUsedKb);
        if (samples.Any(s => s.DirtyKb > 0)) Line("Dirty", s => s.DirtyKb);
        long kbPerPage = pageSize / 1024;
        void Mark(string label, long pages, Color color)
        {
            var h = plot.Add.HorizontalLine(pages * kbPerPage / 1024.0);
            h.LegendText = label;
            h.Color = color;
            h.LinePattern = LinePattern.Dashed;
        }
        Mark("min watermark", zones.Sum(z => z.WatermarkMin), Colors.Red);
        Mark("low watermark", zones.Sum(z => z.WatermarkLow), Colors.Orange);
        Mark("high watermark", zones.Sum(z => z.WatermarkHigh), Colors.Green);
        plot.Title(title);
        plot.XLabel("simulated time (ms)");
        plot.YLabel("MiB");
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
