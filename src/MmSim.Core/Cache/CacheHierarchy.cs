using System.Globalization;

namespace MmSim.Cache;

/// <summary>A level of a running hierarchy.</summary>
public sealed record CacheLevel(string Name, SetAssociativeCache Cache, double Latency);

/// <summary>
/// L1d/L1i → L2 → L3 → RAM, non-inclusive non-exclusive (NINE): a miss looks in the next level and fills every
/// level it missed in; an eviction at one level does not touch the others (no back-invalidation), so a line may be
/// in L1 and not in L3. Instruction fetches (I) go to l1i (l1d when there is none), loads and stores to l1d;
/// stores dirty the L1 line (write-back, write-allocate) and lower levels see the fill as a read; dirty victims
/// are counted, not sent down. An access costs the load-to-use latency of the level that hits, RAM's when all miss.
/// </summary>
public sealed class CacheHierarchy
{
    private readonly CacheLevel? _l1d, _l1i;
    private readonly CacheLevel[] _lower;
    private readonly double _ramCycles;
    private double _cycles;

    public HierarchyConfig Config { get; }
    public IReadOnlyList<CacheLevel> Levels { get; }
    public long Accesses { get; private set; }
    public long RamAccesses { get; private set; }
    public double TotalCycles => _cycles;
    public double AmatCycles => Accesses == 0 ? 0 : _cycles / Accesses;
    public double AmatNs => AmatCycles / Config.ClockGhz;

    public CacheHierarchy(HierarchyConfig config)
    {
        Config = config;
        var levels = config.Levels.Select(l => new CacheLevel(l.Name, new SetAssociativeCache(l.Cache), l.Latency)).ToArray();
        Levels = levels;
        _l1d = levels.FirstOrDefault(l => l.Name == "l1d");
        _l1i = levels.FirstOrDefault(l => l.Name == "l1i") ?? _l1d;
        _lower = levels.Where(l => l.Name is not ("l1d" or "l1i")).ToArray();
        _ramCycles = config.RamLatencyCycles;
    }

    /// <summary>One access; returns its cost in cycles.</summary>
    public double Access(ulong address, bool write, bool instruction = false)
    {
        Accesses++;
        var l1 = instruction ? _l1i! : _l1d!;
        double cost;
        if ((l1.Cache.Access(address, write) & AccessResult.Hit) != 0) cost = l1.Latency;
        else
        {
            cost = _ramCycles;
            bool hit = false;
            foreach (var l in _lower)
                if ((l.Cache.Access(address, false) & AccessResult.Hit) != 0) { cost = l.Latency; hit = true; break; }
            if (!hit) RamAccesses++;
        }
        _cycles += cost;
        return cost;
    }

    /// <summary>Replays a lackey trace: I a fetch, L a load, S a store, M a load then a store.</summary>
    public void Run(LackeyRecordReader reader)
    {
        while (reader.Next(out var r))
        {
            switch (r.Op)
            {
                case (byte)'I': Access(r.Address, false, true); break;
                case (byte)'L': Access(r.Address, false); break;
                case (byte)'S': Access(r.Address, true); break;
                case (byte)'M': Access(r.Address, false); Access(r.Address, true); break;
            }
        }
    }

    /// <summary>The text report: one line per level, then RAM and the AMAT.</summary>
    public IEnumerable<string> Report()
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var l in Levels)
        {
            var c = l.Cache;
            long n = c.Hits + c.Misses;
            string ratio = n == 0 ? "-" : ((double)c.Misses / n).ToString("F4", inv);
            yield return $"{l.Name}: hits:{c.Hits} misses:{c.Misses} evictions:{c.Evictions} dirty_evictions:{c.DirtyEvictions} miss_ratio:{ratio} " +
                         $"({Size(c.Config.SizeBytes)}, {c.Config.Ways}-way, {1L << c.Config.BlockBits} B lines, {l.Latency.ToString(inv)} cycles)";
        }
        yield return $"ram: accesses:{RamAccesses} ({Config.RamLatencyNs.ToString(inv)} ns = {Config.RamLatencyCycles.ToString(inv)} cycles at {Config.ClockGhz.ToString(inv)} GHz)";
        yield return $"accesses:{Accesses} amat:{AmatCycles.ToString("F3", inv)} cycles ({AmatNs.ToString("F3", inv)} ns)";
    }

    private static string Size(long bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} B";
}
