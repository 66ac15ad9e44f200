using MmSim.Replay;
using MmSim.Replay.Traces;

namespace MmSim.Sweep;

/// <summary>What a sweep file asks for: either traces × policies × frames, or a scenario under every combination
/// of a grid of settings. Paths are relative to the sweep file's folder.</summary>
public sealed class SweepSpec
{
    /// <summary>The sweep file as named on the command line (for error messages).</summary>
    public required string SourceName { get; init; }
    /// <summary>Folder the sweep file's relative paths start from.</summary>
    public required string BaseDir { get; init; }
    /// <summary>SHA-256 of the sweep file's bytes, hex: stored in the results folder and checked.</summary>
    public required string Hash { get; init; }
    public required string Name { get; init; }
    public bool IsScenario => Scenario is not null;

    public IReadOnlyList<SweepTraceEntry> Traces { get; init; } = [];
    public IReadOnlyList<SweepPolicy> Policies { get; init; } = [];
    /// <summary>Frame counts as written: "1000" or "10%" (of each trace's distinct pages).</summary>
    public IReadOnlyList<string> Frames { get; init; } = [];

    /// <summary>A scenario file (relative to <see cref="BaseDir"/>) or a built-in scenario's name.</summary>
    public string? Scenario { get; init; }
    public IReadOnlyList<SweepGridKey> Grid { get; init; } = [];
}

/// <summary>One entry of <c>traces:</c>: a path or glob with how to read the files it names.</summary>
public sealed record SweepTraceEntry(string Pattern, TraceOptions Options, bool FormatGiven, int Line);

/// <summary>One entry of <c>policies:</c>: a registry name and its parameters (e.g. <c>{ name: clock, bits: 2 }</c>).
/// <see cref="Params"/> is the canonical text of the parameters, "bits=2", empty for the defaults.</summary>
public sealed record SweepPolicy(string Name, PolicyOptions Options, string Params, int Line)
{
    /// <summary>The <c>mmsim replay</c> options that give the same parameters, e.g. ["--clock-bits", "2"].</summary>
    public IReadOnlyList<string> ReplayArgs { get; init; } = [];
}

/// <summary>One key of <c>grid:</c> with its values, as <c>--set KEY=VALUE</c> takes them.</summary>
public sealed record SweepGridKey(string Key, IReadOnlyList<string> Values, int Line);
