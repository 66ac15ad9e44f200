using MmSim.Replay;
using MmSim.Replay.Traces;

namespace MmSim.Sweep;

/// <summary>The cells of a sweep, in their stable order, with the trace files the globs named.</summary>
public sealed class SweepPlan
{
    public required SweepSpec Spec { get; init; }
    public required IReadOnlyList<SweepCell> Cells { get; init; }
    public IReadOnlyList<SweepTraceFile> TraceFiles { get; init; } = [];

    public long TotalCost => Cells.Sum(c => c.Cost);

    /// <summary>Enumerates the cells: trace files in glob order, then policies, then frames (trace sweeps), or the
    /// grid's combinations with the first key varying slowest (scenario sweeps). Costs are not known yet: see
    /// <see cref="CountRequests"/> or <see cref="SetRequests"/>.</summary>
    public static SweepPlan Enumerate(SweepSpec spec)
    {
        var cells = new List<SweepCell>();
        if (spec.IsScenario)
        {
            var combo = new int[spec.Grid.Count];
            while (true)
            {
                var settings = new (string, string)[spec.Grid.Count];
                for (int k = 0; k < combo.Length; k++) settings[k] = (spec.Grid[k].Key, spec.Grid[k].Values[combo[k]]);
                cells.Add(new SweepCell(cells.Count, SweepCell.IdOf(cells.Count)) { Settings = settings });
                int d = combo.Length - 1;
                while (d >= 0 && ++combo[d] == spec.Grid[d].Values.Count) combo[d--] = 0;
                if (d < 0) break;
            }
            return new SweepPlan { Spec = spec, Cells = cells };
        }

        var files = new List<SweepTraceFile>();
        foreach (var e in spec.Traces)
        {
            var matches = Glob.Expand(e.Pattern, spec.BaseDir);
            if (matches.Count == 0)
                throw new InputException(spec.SourceName, e.Line, Glob.HasWildcards(e.Pattern)
                    ? $"trace glob '{e.Pattern}' matches no file (relative to {spec.BaseDir})"
                    : $"trace '{e.Pattern}': no such file (relative to {spec.BaseDir})");
            foreach (var (path, full) in matches)
            {
                if (files.Any(f => f.FullPath == full))
                    throw new InputException(spec.SourceName, e.Line, $"trace '{path}' is named twice");
                files.Add(new SweepTraceFile(path, full, e));
            }
        }
        for (int t = 0; t < files.Count; t++)
            foreach (var p in spec.Policies)
                foreach (var f in spec.Frames)
                    cells.Add(new SweepCell(cells.Count, SweepCell.IdOf(cells.Count))
                    {
                        TraceIndex = t, Trace = files[t].Path, Policy = p, Frames = f,
                    });
        return new SweepPlan { Spec = spec, Cells = cells, TraceFiles = files };
    }

    /// <summary>Reads every trace once (streamed, in parallel) to count its requests: each cell's cost.</summary>
    public void CountRequests(int jobs = 0)
    {
        Parallel.ForEach(TraceFiles, new ParallelOptions { MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount }, f =>
        {
            using var reader = TraceLoader.Open(f.FullPath, f.Entry.Options);
            var buf = new long[ReplayRunner.StreamBatchSize];
            long n = 0;
            int got;
            while ((got = reader.Read(buf)) > 0) n += got;
            if (n == 0) throw new InputException(f.Path, 0, "the trace has no references");
            f.Requests = n;
        });
        ApplyCosts();
    }

    /// <summary>Takes the request counts recorded in a results folder's manifest.</summary>
    public void SetRequests(IReadOnlyList<long> requests)
    {
        for (int i = 0; i < TraceFiles.Count; i++) TraceFiles[i].Requests = requests[i];
        ApplyCosts();
    }

    private void ApplyCosts()
    {
        foreach (var c in Cells)
            if (!c.IsScenario) c.Cost = Math.Max(1, TraceFiles[c.TraceIndex].Requests);
    }
}
