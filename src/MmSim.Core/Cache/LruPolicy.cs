using System.Runtime.CompilerServices;

namespace MmSim.Cache;

/// <summary>Least recently used, for sets of at most 16 ways: a <see cref="RecencyOrder"/> per set, a hit moves
/// its way to the front, a miss replaces the last.</summary>
internal struct LruPolicy(long sets, int ways) : IReplacementPolicy
{
    private readonly SetOrders _sets = new(sets, ways);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way)
    {
        ref ulong o = ref _sets.At(set);
        o = RecencyOrder.MoveToFront(o, way);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Replace(int set, int filled) => _sets.RotateLast(set);
}
