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
    /// <summary>Stops the run (a <see cref="SimulationLimitException"/>) when cancelled: a client that went away.</summary>
    public CancellationToken Cancellation { get; init; }
    /// <summary>Stops the run (a <see cref="SimulationLimitException"/> with <see cref="SimulationLimitException.WallClock"/>)
    /// once it has run this long in wall time. Checked against a stopwatch in the run loop, not by a timer: a timer's
    /// callback waits for a thread-pool thread, and on a loaded machine it can come after the run has finished.</summary>
    public TimeSpan WallClockLimit { get; init; }
    /// <summary>Stops the run (a <see cref="SimulationLimitException"/>) past this many simulated accesses (0 = no limit).</summary>
    public long AccessLimit { get; init; }
    /// <summary>Called after each timeline sample is taken, to record more of the machine's state at that moment.</summary>
    public Action<SimMachine, long>? OnSample { get; init; }
    /// <summary>Record the vmscan tracepoints (kswapd wake/sleep, direct reclaim) in <see cref="Kernel.Trace"/>.</summary>
    public bool Tracepoints { get; init; }
    /// <summary>Check every user access of an anonymous private page against what the process last wrote there
    /// (<see cref="ContentShadow"/>; for tests: it costs a lookup per access).</summary>
    public bool CheckContents { get; init; }
}

/// <summary>A run stopped by its work budget (<see cref="MachineOptions.AccessLimit"/>), its wall-clock limit
/// (<see cref="MachineOptions.WallClockLimit"/>) or a cancellation (<see cref="MachineOptions.Cancellation"/>): the machine's state is then partial and must be discarded.</summary>
public sealed class SimulationLimitException(string message, bool wallClock = false) : Exception(message)
{
    /// <summary>True when the wall-clock limit stopped the run (false: the work budget or a cancellation).</summary>
    public bool WallClock { get; } = wallClock;
}
