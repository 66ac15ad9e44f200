using ScottPlot;

namespace MmSim.Sweep;

/// <summary>Plots a merged sweep with ScottPlot: for trace sweeps, one panel per trace with a miss-ratio curve
/// per policy (miss ratio against frames); for scenario sweeps, one panel per grid key with the headline counters
/// against its values (each point the mean over the other keys' values).</summary>
public static class SweepPlot
{
    public static void Write(string path, SweepSpec spec, IReadOnlyList<CellResult> rows)
    {
        var mp = new ScottPlot.Multiplot();
        int panels;
        if (!spec.IsScenario)
        {
            var traces = rows.Select(r => r.Trace!).Distinct().ToList();
            panels = traces.Count;
            mp.AddPlots(panels);
            for (int t = 0; t < traces.Count; t++)
            {
                var plt = mp.GetPlot(t);
                foreach (var g in rows.Where(r => r.Trace == traces[t]).GroupBy(r => (r.Policy, r.Params)))
                {
                    var pts = g.OrderBy(r => r.Frames).ToList();
                    var sc = plt.Add.Scatter(pts.Select(r => (double)r.Frames).ToArray(), pts.Select(r => r.MissRatio).ToArray());
                    sc.LegendText = string.IsNullOrEmpty(g.Key.Params) ? g.Key.Policy! : $"{g.Key.Policy} ({g.Key.Params})";
                }
                plt.Title($"{traces[t]}: miss ratio");
                plt.XLabel("frames");
                plt.YLabel("miss ratio");
                plt.Axes.SetLimitsY(0, 1);
                plt.ShowLegend();
            }
        }
        else
        {
            panels = spec.Grid.Count;
            mp.AddPlots(panels);
            var counters = CellResult.ScenarioCounters
                .Where(c => rows.Any(r => r.Counters![c] != 0))
                .OrderByDescending(c => rows.Max(r => r.Counters![c]))
                .Take(6).ToList();
            for (int k = 0; k < spec.Grid.Count; k++)
            {
                var key = spec.Grid[k];
                var plt = mp.GetPlot(k);
                double[] xs = Enumerable.Range(0, key.Values.Count).Select(i => (double)i).ToArray();
                foreach (var c in counters)
                {
                    var ys = key.Values.Select(v =>
                    {
                        var sel = rows.Where(r => r.Settings![key.Key] == v).ToList();
                        return sel.Count == 0 ? double.NaN : sel.Average(r => (double)r.Counters![c]);
                    }).ToArray();
                    plt.Add.Scatter(xs, ys).LegendText = c;
                }
                plt.Axes.Bottom.SetTicks(xs, key.Values.ToArray());
                plt.Title($"{spec.Name}: counters against {key.Key}");
                plt.XLabel(key.Key);
                plt.YLabel("count (mean over the other settings)");
                plt.ShowLegend();
            }
        }
        try
        {
            mp.SavePng(path, 900, Math.Min(8000, 500 * Math.Max(1, panels)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, 0, $"cannot write the plot: {ex.Message}");
        }
    }
}
