using System.Diagnostics;
using System.Globalization;

namespace MmSim.Replay;

/// <summary>One (policy, frames) replay's outcome.</summary>
public sealed record ReplayResult(string Policy, int Frames, long Hits, long Misses)
{
    public double MissRatio => Hits + Misses == 0 ? 0 : (double)Misses / (Hits + Misses);
}

/// <summary>All results of one <c>mmsim replay</c>, with the wall time of the replays.</summary>
public sealed record ReplayReport(ReplayTrace Trace, IReadOnlyList<ReplayResult> Results, double Seconds)
{
    /// <summary>References replayed per second of wall time, summed over all jobs.</summary>
    public double RequestsPerSecond => Seconds <= 0 ? 0 : (double)Trace.Count * Results.Count / Seconds;
}

/// <summary>Runs every policy at every size over a loaded trace, in parallel across jobs.</summary>
public static class ReplayRunner
{
    /// <summary>References handed to a policy per call.</summary>
    public const int BatchSize = 1 << 16;

    public static ReplayReport Run(ReplayTrace trace, IReadOnlyList<string> policies, IReadOnlyList<int> frames,
        PolicyOptions? options = null, int jobs = 0)
    {
        options ??= new PolicyOptions();
        options.Validate();
        var infos = policies.Select(PolicyRegistry.Get).ToList();
        foreach (int f in frames)
            if (f <= 0) throw new InputException("--frames", 0, $"frame counts must be positive, got {f}");
        var work = new List<(PolicyInfo Info, int Frames)>();
        foreach (var info in infos)
            foreach (int f in frames)
                work.Add((info, f));
        if (infos.Any(i => i.NeedsWholeTrace)) _ = trace.NextUse; // the pre-pass, once, outside the timed part
        var results = new ReplayResult[work.Count];
        var sw = Stopwatch.StartNew();
        int dop = jobs > 0 ? jobs : Environment.ProcessorCount;
        Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = dop }, i =>
        {
            var (info, f) = work[i];
            var p = info.Create(new PolicyContext { Frames = f, Options = options, Trace = trace });
            Replay(p, trace.Keys);
            results[i] = new ReplayResult(info.Name, f, p.Hits, p.Misses);
        });
        sw.Stop();
        return new ReplayReport(trace, results, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Feeds the keys to the policy in batches.</summary>
    public static void Replay(IReplayPolicy policy, ReadOnlySpan<long> keys)
    {
        for (int i = 0; i < keys.Length; i += BatchSize)
            policy.Run(keys.Slice(i, Math.Min(BatchSize, keys.Length - i)));
    }

    /// <summary>Keys per batch when streaming from a reader: 32 KB, so the batch stays in L1/L2 beside the policy.</summary>
    public const int StreamBatchSize = 4096;

    /// <summary>Streams a trace through one policy without holding it in memory (not for OPT).</summary>
    public static void Replay(IReplayPolicy policy, Traces.ITraceReader reader, long[]? buffer = null)
    {
        buffer ??= new long[StreamBatchSize];
        int n;
        while ((n = reader.Read(buffer)) > 0) policy.Run(buffer.AsSpan(0, n));
    }

    /// <summary>Parses "100,1000,10%" (a percentage is of the trace's distinct pages, rounded, at least 1).</summary>
    public static IReadOnlyList<int> ParseFrames(string spec, Func<int> distinct)
    {
        var list = new List<int>();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.EndsWith('%'))
            {
                if (!double.TryParse(part[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double pct)
                    || pct <= 0 || pct > 100)
                    throw new InputException("--frames", 0, $"expected a percentage in (0, 100], got '{part}'");
                list.Add(Math.Max(1, (int)Math.Round(distinct() * pct / 100)));
            }
            else
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) || f <= 0)
                    throw new InputException("--frames", 0,
                        $"expected a positive number of frames or a percentage like 10%, got '{part}'");
                list.Add(f);
            }
        }
        if (list.Count == 0) throw new InputException("--frames", 0, "expected at least one size");
        return list;
    }
}
