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
        new("lfu", "evict the page referenced least often while resident; ties go to the least recently used", "-",
            "Aho, Denning & Ullman, JACM 1971 (A0 / least frequently used)", c => new LfuPolicy(c.Frames)),
        new("clock", "second chance: a hand clears reference counters and evicts the first page at 0; new pages start at 0",
            "--clock-bits 1 (n-bit counter, Corbató's 1-bit clock)", "Corbató, MIT Project MAC MAC-M-384, 1968",
            c => new ClockPolicy(c.Frames, c.Options.ClockBits)),
        new("nru", "evict a page whose referenced bit is clear; all bits are cleared every clock tick",
            "--nru-period 1000 (references per tick) --seed 42; no modified bit (traces have no writes)",
            "Tanenbaum, Modern Operating Systems, sec. 3.4.2", c => new NruPolicy(c.Frames, c.Options.NruPeriod, c.Options.Seed)),
        new("2q", "new pages in FIFO A1in; pages evicted from it remembered in ghost A1out; re-referenced ones go to LRU Am",
            "--2q-in 0.25 --2q-out 0.5 (Kin 25%, Kout 50%, the paper's recommendation)", "Johnson & Shasha, 2Q, VLDB 1994",
            c => new TwoQPolicy(c.Frames, c.Options.TwoQIn, c.Options.TwoQOut)),
        new("slru", "probationary LRU for new pages, protected LRU for pages hit again; overflow demoted",
            "--slru-protected 0.8 (the paper leaves the split open; 80% protected as in common implementations)",
            "Karedla, Love & Wherry, IEEE Computer 1994", c => new SlruPolicy(c.Frames, c.Options.SlruProtected)),
        new("arc", "adaptive: recency list T1 and frequency list T2, ghost lists B1/B2 steer T1's target size p",
            "- (p adapts from 0; ghosts hold up to the frame count)", "Megiddo & Modha, ARC, FAST 2003",
            c => new ArcPolicy(c.Frames)),
        new("car", "ARC's adaptation with CLOCKs for T1 and T2: a hit only sets a reference bit", "- (p adapts from 0)",
            "Bansal & Modha, CAR: Clock with Adaptive Replacement, FAST 2004", c => new CarPolicy(c.Frames)),
        new("lirs", "keeps pages with short inter-reference recency (LIR); others (HIR) get a small FIFO-like list",
            "--lirs-hir 0.01 (HIR share 1%, the paper's default)", "Jiang & Zhang, LIRS, SIGMETRICS 2002",
            c => new LirsPolicy(c.Frames, c.Options.LirsHir)),
        new("s3fifo", "small FIFO filters one-hit wonders, main FIFO with 2-bit CLOCK, ghost FIFO readmits to main",
            "--s3fifo-small 0.1 --s3fifo-ghost 0.9 --s3fifo-threshold 2 (as libCacheSim; the paper: small 10%, ghost = main)",
            "Yang et al., FIFO queues are all you need for cache eviction, SOSP 2023",
            c => new S3FifoPolicy(c.Frames, c.Options.S3Small, c.Options.S3Ghost, c.Options.S3Threshold)),
        new("sieve", "FIFO with visited bits and a hand that never moves survivors", "-",
            "Zhang et al., SIEVE is Simpler than LRU, NSDI 2024", c => new SievePolicy(c.Frames)),
        new("opt", "evict the page referenced furthest in the future (Belady's MIN; needs the whole trace)", "-",
            "Belady, IBM Systems Journal 1966", c => new OptPolicy(c.Frames, c.Trace
                ?? throw new InvalidOperationException("OPT needs the whole trace")), NeedsWholeTrace: true),
        new("linux", "Linux's active/inactive lists with accessed bits and PG_referenced (two touches to activate)",
            "--linux-inactive 0.5 (inactive:active 1:1, the kernel's ratio below 1 GB)",
            "Linux mm/vmscan.c; Gorman, Understanding the Linux VM Manager, ch. 10",
            c => new LinuxPolicy(c.Frames, c.Options.LinuxInactive)),
        new("mglru", "multi-generational LRU: generations aged by an accessed-bit walk, evicted oldest first",
            "--mglru-gens 4 (MAX_NR_GENS; at least MIN_NR_GENS = 2)", "Zhao, Multi-Gen LRU, Linux 6.1 (Documentation/mm/multigen_lru.rst)",
            c => new MglruPolicy(c.Frames, c.Options.MglruGens)),
    ];

    public static PolicyInfo Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InputException("command line", 0,
            $"unknown policy '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}");

    public static IReplayPolicy Create(string name, int frames, PolicyOptions? options = null, ReplayTrace? trace = null) =>
        Get(name).Create(new PolicyContext { Frames = frames, Options = options ?? new(), Trace = trace });
}
