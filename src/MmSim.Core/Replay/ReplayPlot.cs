namespace MmSim.Replay;

/// <summary>Writes miss-ratio curves (one line per policy, miss ratio against frames) to a PNG with ScottPlot.</summary>
public static class ReplayPlot
{
    public static void Write(string path, ReplayReport report, MissRatioCurve? curve = null)
    {
        var plt = new ScottPlot.Plot();
        var sizes = report.Results.Select(r => r.Frames).Distinct().Order().ToList();
        foreach (var group in report.Results.GroupBy(r => r.Policy))
        {
            var pts = group.OrderBy(r => r.Frames).ToList();
            var sc = plt.Add.Scatter(pts.Select(r => (double)r.Frames).ToArray(), pts.Select(r => r.MissRatio).ToArray());
            sc.LegendText = group.Key;
        }
        if (curve != null)
        {
            var xs = curve.SamplePoints(sizes).Select(f => (double)f).ToArray();
            var line = plt.Add.Scatter(xs, xs.Select(x => curve.MissRatio((int)x)).ToArray());
            line.LegendText = curve.Method == "exact" ? "LRU (stack distances)" : "LRU (SHARDS)";
            line.MarkerSize = 0;
        }
        plt.Title($"{Path.GetFileName(report.Trace.Name)}: miss ratio");
        plt.XLabel("frames");
        plt.YLabel("miss ratio");
        plt.Axes.SetLimitsY(0, 1);
        plt.ShowLegend();
        try
        {
            plt.SavePng(path, 900, 600);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new InputException(path, 0, $"cannot write the plot: {ex.Message}");
        }
    }
}
