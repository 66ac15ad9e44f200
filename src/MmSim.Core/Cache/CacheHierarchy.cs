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
    private readonly SetAssociativeCache[] _caches;
    private readonly double[] _cycles;
    /// <summary>The level indices a data access and an instruction fetch look in, in order.</summary>
    private readonly int[] _dataPath, _instrPath;
    private readonly long[] _ps;
    private readonly double _ramCycles;
    private double _total;

    public HierarchyConfig Config { get; }
    public IReadOnlyList<CacheLevel> Levels { get; }
    public long Accesses { get; private set; }
    public long RamAccesses { get; private set; }
    public double TotalCycles => _total;
    public double AmatCycles => Accesses == 0 ? 0 : _total / Accesses;
    public double AmatNs => AmatCycles / Config.ClockGhz;
    /// <summary>The index <see cref="Serve"/> returns for an access that every level missed.</summary>
    public int Ram => _caches.Length;

    public CacheHierarchy(HierarchyConfig config)
    {
        Config = config;
        var levels = config.Levels.Select(l => new CacheLevel(l.Name, new SetAssociativeCache(l.Cache), l.Latency)).ToArray();
        Levels = levels;
        _caches = levels.Select(l => l.Cache).ToArray();
        _cycles = levels.Select(l => l.Latency).Append(config.RamLatencyCycles).ToArray();
        _ps = _cycles.Select(c => (long)Math.Round(c * 1000 / config.ClockGhz)).ToArray();
        int l1d = Array.FindIndex(levels, l => l.Name == "l1d");
        int l1i = Array.FindIndex(levels, l => l.Name == "l1i");
        if (l1d < 0) throw new ArgumentException("a hierarchy needs an l1d level", nameof(config));
        var lower = Enumerable.Range(0, levels.Length).Where(i => i != l1d && i != l1i).ToArray();
        _dataPath = [l1d, .. lower];
        _instrPath = [l1i >= 0 ? l1i : l1d, .. lower];
        _ramCycles = config.RamLatencyCycles;
    }

    /// <summary>Cost in picoseconds of an access served by level <paramref name="served"/> (<see cref="Ram"/> = RAM).</summary>
    public long CostPs(int served) => _ps[served];

    public double CostCycles(int served) => _cycles[served];

    /// <summary>
    /// One access; returns the index in <see cref="Levels"/> of the level that served it, or <see cref="Ram"/>.
    /// Counts it in <paramref name="tally"/> too when given (one process's share).
    /// </summary>
    public int Serve(ulong address, bool write, bool instruction, CacheTally? tally = null)
    {
        var path = instruction ? _instrPath : _dataPath;
        int served = _caches.Length;
        for (int j = 0; j < path.Length; j++)
        {
            int li = path[j];
            // Only the L1 sees the store; a lower level sees the fill as a read.
            if ((_caches[li].Access(address, write && j == 0) & AccessResult.Hit) != 0)
            {
                served = li;
                if (tally is not null) tally.Hits[li]++;
                break;
            }
            if (tally is not null) tally.Misses[li]++;
        }
        Accesses++;
        if (served == _caches.Length) RamAccesses++;
        _total += _cycles[served];
        if (tally is not null)
        {
            tally.Accesses++;
            tally.Served[served]++;
            tally.ServedPs[served] += _ps[served];
        }
        return served;
    }

    /// <summary>One access; returns its cost in cycles.</summary>
    public double Access(ulong address, bool write, bool instruction = false) => _cycles[Serve(address, write, instruction)];

    /// <summary>Called per access of <see cref="Run"/> with the record, whether it is an M's store, and the level
    /// that served the access (<see cref="Ram"/> for RAM).</summary>
    public delegate void Observer(in LackeyRecord record, bool second, int served);

    /// <summary>Replays a lackey trace: I a fetch, L a load, S a store, M a load then a store.</summary>
    public void Run(LackeyRecordReader reader, Observer? observer = null)
    {
        while (reader.Next(out var r))
        {
            int a;
            switch (r.Op)
            {
                case (byte)'I': a = Serve(r.Address, false, true); break;
                case (byte)'L': a = Serve(r.Address, false, false); break;
                case (byte)'S': a = Serve(r.Address, true, false); break;
                default:
                    a = Serve(r.Address, false, false);
                    observer?.Invoke(r, false, a);
                    // (not inside observer?.Invoke(...): a null observer would skip evaluating the store)
                    int b = Serve(r.Address, true, false);
                    observer?.Invoke(r, true, b);
                    continue;
            }
            observer?.Invoke(r, false, a);
        }
    }

    /// <summary>The name of level <paramref name="served"/> ("l1d" ... or "ram").</summary>
    public string LevelName(int served) => served == _caches.Length ? "ram" : Levels[served].Name;

    /// <summary>The -v line of one access: <c>L 7ff000,8 l2</c> (the op, hex address, size, the level that served it).</summary>
    public string VerboseLine(in LackeyRecord r, bool second, int served) =>
        string.Create(CultureInfo.InvariantCulture, $"{(char)r.Op}{(r.Op == 'M' ? (second ? " store" : " load") : "")} {r.Address:x},{r.Size} {LevelName(served)}");

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

    public static string Size(long bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} B";
}
