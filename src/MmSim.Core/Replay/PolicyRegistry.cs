using MmSim.Replay.Policies;

namespace MmSim.Replay;

/// <summary>One policy as the CLI knows it: its command-line name, a one-line description, its parameters with
/// their defaults (and where the defaults come from), a reference, and a factory.</summary>
public sealed record PolicyInfo(
    string Name,
    string Description,
    string Parameters,
    string Reference,
    Func<PolicyContext, IReplayPolicy> Create,
    bool NeedsWholeTrace = false);

/// <summary>Every replay policy; adding one is one file in Policies/ and one line here.</summary>
public static class PolicyRegistry
{
    public static readonly IReadOnlyList<PolicyInfo> All =
    [
        new("fifo", "evict the page resident longest", "-", "Belady, Nelson & Shedler, CACM 1969 (FIFO anomaly)",
            c => new FifoPolicy(c.Frames)),
        new("lru", "evict the least recently used page", "-", "Mattson et al., IBM Systems Journal 1970",
            c => new LruPolicy(c.Frames)),
        new("mru", "evict the most recently used page", "-", "Chou & DeWitt, VLDB 1985",
            c => new MruPolicy(c.Frames)),
        new("random", "evict a uniformly random page (seeded xorshift64*)", "--seed 42", "Belady, IBM Systems Journal 1966",
            c => new RandomPolicy(c.Frames, c.Options.Seed)),
        new("opt", "evict the page referenced furthest in the future (Belady's MIN; needs the whole trace)", "-",
            "Belady, IBM Systems Journal 1966", c => new OptPolicy(c.Frames, c.Trace
                ?? throw new InvalidOperationException("OPT needs the whole trace")), NeedsWholeTrace: true),
        new("clock", "second chance: a hand clears reference counters and evicts the first page at 0; new pages start at 0",
            "--clock-bits 1 (n-bit counter, Corbató's 1-bit clock)", "Corbató, MIT Project MAC MAC-M-384, 1968",
            c => new ClockPolicy(c.Frames, c.Options.ClockBits)),
        new("sieve", "FIFO with visited bits and a hand that never moves survivors", "-",
            "Zhang et al., SIEVE is Simpler than LRU, NSDI 2024", c => new SievePolicy(c.Frames)),
    ];

    public static PolicyInfo Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InputException("command line", 0,
            $"unknown policy '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}");

    public static IReplayPolicy Create(string name, int frames, PolicyOptions? options = null, ReplayTrace? trace = null) =>
        Get(name).Create(new PolicyContext { Frames = frames, Options = options ?? new(), Trace = trace });
}
