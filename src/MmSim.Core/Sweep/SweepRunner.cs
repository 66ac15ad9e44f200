using System.Collections.Concurrent;
using System.Text.Json;
using MmSim.Machine;
using MmSim.Replay;
using MmSim.Replay.Traces;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Sweep;

/// <summary>What one <c>sweep run</c> did.</summary>
public sealed record ShardRunSummary(int Shard, int Shards, int Cells, int AlreadyDone, int Ran, IReadOnlyList<(SweepCell Cell, string Error)> Failures);

/// <summary>
/// Runs the cells of one shard, <c>jobs</c> at a time, each exactly as <c>mmsim replay</c> (or <c>mmsim run</c>)
/// would run it alone, and stores each result durably as soon as it is done. Cells already done in DIR (by any
/// shard) are skipped, so a killed shard run again does only what is missing.
/// </summary>
public static class SweepRunner
{
    public static ShardRunSummary RunShard(SweepPlan plan, SweepDir dir, int shard, int shards, int jobs = 0,
        Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        var assignment = ShardSplit.Assign(plan.Cells, shards);
        var mine = ShardSplit.CellsOf(plan.Cells, assignment, shard);
        var scan = dir.Scan();
        var todo = mine.Where(c => !scan.Done.ContainsKey(c.Id)).ToList();
        string tag = SweepDir.WriterTag(shard, shards);

        // Each trace is loaded once per shard, shared by its cells, and dropped after its last cell.
        var traces = new ConcurrentDictionary<int, Lazy<ReplayTrace>>();
        var remaining = new ConcurrentDictionary<int, int>();
        foreach (var c in todo.Where(c => !c.IsScenario)) remaining.AddOrUpdate(c.TraceIndex, 1, (_, n) => n + 1);
        (string Text, string Source, string Name)? scenario = plan.Spec.IsScenario
            ? ScenarioSource.Resolve(plan.Spec.Scenario!, plan.Spec.BaseDir, plan.Spec.SourceName, 0)
            : null;

        var failures = new ConcurrentBag<(SweepCell, string)>();
        int done = 0;
        progress?.Invoke(0, todo.Count);
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount,
            CancellationToken = cancel,
        };
        // NoBuffering: workers take cells in order, so at most about `jobs` traces are held at once.
        Parallel.ForEach(Partitioner.Create(todo, EnumerablePartitionerOptions.NoBuffering), options, cell =>
        {
            try
            {
                var result = cell.IsScenario
                    ? RunScenarioCell(cell, scenario!.Value)
                    : RunTraceCell(plan, cell, traces.GetOrAdd(cell.TraceIndex, i => new Lazy<ReplayTrace>(() =>
                    {
                        var f = plan.TraceFiles[i];
                        using var reader = TraceLoader.Open(f.FullPath, f.Entry.Options);
                        return TraceLoader.ReadAll(reader, f.Path, TraceOptions.Name(f.Entry.Options.Format));
                    })).Value);
                SweepDir.WriteAtomic(dir.ResultFile(cell.Id, tag), result.ToUtf8());
                string failed = dir.FailedFile(cell.Id, tag);
                if (File.Exists(failed)) File.Delete(failed);
            }
            catch (Exception e) when (e is InputException or IOException or InvalidDataException or JsonException)
            {
                string msg = e is InputException ie ? ie.Format() : e.Message;
                failures.Add((cell, msg));
                SweepDir.WriteAtomic(dir.FailedFile(cell.Id, tag), System.Text.Encoding.UTF8.GetBytes(msg + "\n"));
            }
            finally
            {
                if (!cell.IsScenario && remaining.AddOrUpdate(cell.TraceIndex, 0, (_, n) => n - 1) == 0)
                    traces.TryRemove(cell.TraceIndex, out _);
                progress?.Invoke(Interlocked.Increment(ref done), todo.Count);
            }
        });
        dir.Pack(tag);
        return new ShardRunSummary(shard, shards, mine.Count, mine.Count - todo.Count, todo.Count - failures.Count,
            failures.OrderBy(f => f.Item1.Index).ToList());
    }

    /// <summary>One trace cell: the same call <c>mmsim replay TRACE --policy P --frames F</c> makes.</summary>
    public static CellResult RunTraceCell(SweepPlan plan, SweepCell cell, ReplayTrace trace)
    {
        if (trace.Count == 0) throw new InputException(trace.Name, 0, "the trace has no references");
        var pol = cell.Policy!;
        var sizes = ReplayRunner.ParseFrames(cell.Frames!, () => trace.Distinct);
        var r = ReplayRunner.Run(trace, [pol.Name], sizes, pol.Options, jobs: 1).Results[0];
        var f = plan.TraceFiles[cell.TraceIndex];
        return new CellResult
        {
            Cell = cell.Id,
            Trace = cell.Trace,
            Format = TraceOptions.Name(f.Entry.Options.Format),
            Policy = r.Policy,
            Params = pol.Params,
            FramesSpec = cell.Frames,
            Frames = r.Frames,
            Requests = trace.Count,
            Hits = r.Hits,
            Misses = r.Misses,
            MissRatio = r.MissRatio,
        };
    }

    /// <summary>One scenario cell: what <c>mmsim run SCENARIO --set K=V ... --json</c> does.</summary>
    public static CellResult RunScenarioCell(SweepCell cell, (string Text, string Source, string Name) scenario)
    {
        var s = ScenarioOverrides.Apply(scenario.Text, scenario.Source, scenario.Name, cell.Settings);
        var m = new SimMachine(s, new MachineOptions());
        m.Run();
        var report = RunReport.Build(m);
        var counters = new OrderedDictionary<string, long>();
        foreach (var c in CellResult.ScenarioCounters) counters[c] = report.Vmstat.GetValueOrDefault(c);
        var settings = new OrderedDictionary<string, string>();
        foreach (var (k, v) in cell.Settings) settings[k] = v;
        using var doc = JsonDocument.Parse(report.ToJson());
        return new CellResult
        {
            Cell = cell.Id,
            Scenario = scenario.Name,
            Settings = settings,
            Counters = counters,
            Report = doc.RootElement.Clone(),
        };
    }
}
