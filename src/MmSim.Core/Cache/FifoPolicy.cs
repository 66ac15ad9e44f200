using System.Runtime.CompilerServices;

namespace MmSim.Cache;

/// <summary>First in, first out, for sets of at most 16 ways: a <see cref="RecencyOrder"/> per set by fill time;
/// a hit changes nothing, a miss replaces the oldest fill.</summary>
internal struct FifoPolicy(long sets, int ways) : IReplacementPolicy
{
    private readonly SetOrders _sets = new(sets, ways);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Replace(int set, int filled) => _sets.RotateLast(set);
}
