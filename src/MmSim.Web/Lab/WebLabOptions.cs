namespace MmSim.Web.Lab;

/// <summary>The server's address and the limits that keep a hostile request from taking it down.</summary>
public sealed class WebLabOptions
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 8080;
    /// <summary>Request bodies over this are refused with 413.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;
    /// <summary>Work budget of one simulation, in simulated accesses: over it, 422 (checked before the run from
    /// the scenario's steps, and during the run).</summary>
    public long MaxAccesses { get; init; } = 50_000_000;
    /// <summary>Steps executed (each repeat iteration counts its steps): a repeat of a billion is refused.</summary>
    public long MaxSteps { get; init; } = 10_000_000;
    /// <summary>Wall-clock limit of one simulation: over it, 422.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Largest machine.memory (and machine.swap) accepted.</summary>
    public long MaxMemoryBytes { get; init; } = 16L << 30;
    /// <summary>Simulations at once; more wait up to <see cref="QueueWait"/>, then get 503.</summary>
    public int MaxConcurrent { get; init; } = Environment.ProcessorCount;
    public TimeSpan QueueWait { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Timeline points sent to the page (the run is sampled finer and thinned to this).</summary>
    public int MaxTimelinePoints { get; init; } = 2000;
}
