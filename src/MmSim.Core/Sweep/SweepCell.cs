namespace MmSim.Sweep;

/// <summary>One unit of work: a (trace, policy, frames) replay or a (scenario, settings) run. <see cref="Id"/> is
/// stable for a given sweep file (its position in the enumeration, "c000042"); <see cref="Cost"/> is the
/// estimated work (requests of the trace; 1 for a scenario cell).</summary>
public sealed record SweepCell(int Index, string Id)
{
    public long Cost { get; set; } = 1;

    // Trace cells.
    public int TraceIndex { get; init; } = -1;
    public string? Trace { get; init; }
    public SweepPolicy? Policy { get; init; }
    public string? Frames { get; init; }

    // Scenario cells.
    public IReadOnlyList<(string Key, string Value)> Settings { get; init; } = [];

    public bool IsScenario => Trace is null;

    public static string IdOf(int index) => "c" + index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"traces/a.zst lru 10%" or "vm.swappiness=60 machine.swap=0": how messages name the cell.</summary>
    public string Describe() => IsScenario
        ? string.Join(" ", Settings.Select(s => $"{s.Key}={s.Value}"))
        : $"{Trace} {Policy!.Name}{(Policy.Params.Length > 0 ? "(" + Policy.Params + ")" : "")} {Frames}";
}

/// <summary>A trace file a glob named, with how to read it and its length (requests), which is the cost of each
/// of its cells.</summary>
public sealed record SweepTraceFile(string Path, string FullPath, SweepTraceEntry Entry)
{
    public long Requests { get; set; } = -1;
}
