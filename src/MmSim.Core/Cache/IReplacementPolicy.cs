namespace MmSim.Cache;

/// <summary>
/// A replacement policy of <see cref="SetAssociativeCache"/> (libCacheSim style: one policy per file, each keeping
/// its own per-set state). The cache is generic over the policy struct, so these calls are inlined into its
/// lookup and cost no interface dispatch per access.
/// </summary>
internal interface IReplacementPolicy
{
    /// <summary>A hit on <paramref name="way"/> of <paramref name="set"/>.</summary>
    void Hit(int set, int way);

    /// <summary>The way of <paramref name="set"/> a miss fills, which the policy then counts as just filled.
    /// The set's valid lines are ways 0 .. <paramref name="filled"/> - 1 (lines fill in way order and are never
    /// invalidated), so while <paramref name="filled"/> is below the associativity the answer must be
    /// <paramref name="filled"/>, the first invalid way.</summary>
    int Replace(int set, int filled);
}
