namespace MmSim.Machine;

/// <summary>How a run is observed (not what is simulated: that is the scenario).</summary>
public sealed class MachineOptions
{
    /// <summary>Sample meminfo and vmstat every this many simulated ns (0 = no timeline).</summary>
    public long SampleIntervalNs { get; init; }
    /// <summary>Log up to this many individual page faults as events (0 = only per-step summaries).</summary>
    public int FaultEventLimit { get; init; }
    /// <summary>Called now and then with (accesses done, accesses expected) for a progress bar.</summary>
    public Action<long, long>? Progress { get; init; }
}
