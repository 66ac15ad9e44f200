namespace MmSim.Cache;

/// <summary>
/// One process's share of a <see cref="CacheHierarchy"/>: per level (the hierarchy's <see cref="CacheHierarchy.Levels"/>
/// order) the hits and misses of its accesses, the accesses RAM served, and the simulated time each level spent
/// serving them in picoseconds (index <c>Levels.Count</c> is RAM), with the time its page walks and its page faults
/// took. Updated in place per access; nothing is allocated after construction.
/// </summary>
public sealed class CacheTally
{
    public readonly long[] Hits, Misses;
    /// <summary>Time served by each level, then RAM, in picoseconds.</summary>
    public readonly long[] ServedPs;
    /// <summary>Accesses served by each level, then RAM.</summary>
    public readonly long[] Served;
    public long Accesses;
    /// <summary>Page-table walks after TLB misses, and the CPU time of page faults (minor fault cost), in ns.</summary>
    public long WalkNs, FaultNs;
    /// <summary>Picoseconds not yet added to the task's clock (which counts whole ns).</summary>
    public long CarryPs;

    public CacheTally(int levels)
    {
        Hits = new long[levels];
        Misses = new long[levels];
        ServedPs = new long[levels + 1];
        Served = new long[levels + 1];
    }

    public long RamAccesses => Served[^1];
}
