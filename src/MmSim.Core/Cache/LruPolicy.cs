using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Cache;

/// <summary>Least recently used, for sets of at most 16 ways: a <see cref="RecencyOrder"/> per set, a hit moves
/// its way to the front, a miss replaces the last.</summary>
internal struct LruPolicy : IReplacementPolicy
{
    private readonly ulong[] _order;
    private readonly ulong _mask;
    private readonly int _lastShift;

    public LruPolicy(long sets, int ways)
    {
        _order = new ulong[sets];
        Array.Fill(_order, RecencyOrder.Initial(ways));
        _mask = RecencyOrder.Mask(ways);
        _lastShift = 4 * (ways - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way)
    {
        ref ulong o = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_order), set);
        o = RecencyOrder.MoveToFront(o, way);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Replace(int set, int filled) =>
        RecencyOrder.RotateLast(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_order), set), _lastShift, _mask);
}
