namespace MmSim.Translate;

/// <summary>
/// Effective memory access time with a TLB in front of an N-level page table:
/// <c>EAT = hit × (TLB + mem) + miss × (TLB + (levels + 1) × mem)</c> — a TLB miss reads one entry per level,
/// then the data. The textbook model: no page-walk caches, no faults, the TLB looked up before (not in parallel
/// with) the cache.
/// </summary>
public static class EffectiveAccessTime
{
    /// <param name="hitRatio">TLB hit ratio, 0 to 1.</param>
    /// <param name="tlb">Time of a TLB lookup (any unit; the result is in the same unit).</param>
    /// <param name="memory">Time of one memory access.</param>
    /// <param name="levels">Page-table levels a miss walks (x86-64: 4, LA57: 5, i386: 2).</param>
    public static double Compute(double hitRatio, double tlb, double memory, int levels)
    {
        if (hitRatio is < 0 or > 1 || double.IsNaN(hitRatio)) throw new ArgumentOutOfRangeException(nameof(hitRatio), "a ratio 0 to 1");
        if (tlb < 0 || memory < 0) throw new ArgumentOutOfRangeException(nameof(memory), "times are not negative");
        if (levels < 1) throw new ArgumentOutOfRangeException(nameof(levels), "at least one level");
        return hitRatio * (tlb + memory) + (1 - hitRatio) * (tlb + (levels + 1) * memory);
    }

    /// <summary>The slowdown against a memory access with no translation at all.</summary>
    public static double Overhead(double hitRatio, double tlb, double memory, int levels) =>
        Compute(hitRatio, tlb, memory, levels) / memory - 1;

    /// <summary>
    /// The effective access time measured from a run's TLB counts: <paramref name="l1Hits"/> cost TLB + memory,
    /// <paramref name="l2Hits"/> (first-level misses found in the second level) 2 × TLB + memory, and
    /// <paramref name="walks"/> TLB (2 × TLB with a second level) + (levels + 1) × memory, averaged over the
    /// lookups. With no second level it is the textbook formula with the measured hit ratio. Null with no lookups.
    /// </summary>
    public static double? Measured(long l1Hits, long l2Hits, long walks, bool hasL2, double tlb, double memory, int levels)
    {
        long lookups = l1Hits + l2Hits + walks;
        if (lookups == 0) return null;
        double total = l1Hits * (tlb + memory) + l2Hits * (2 * tlb + memory)
                       + walks * ((hasL2 ? 2 : 1) * tlb + (levels + 1) * memory);
        return Math.Round(total / lookups, 3);
    }
}
