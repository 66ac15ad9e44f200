using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Cache;

/// <summary>First in, first out, for sets of at most 16 ways: a <see cref="RecencyOrder"/> per set by fill time;
/// a hit changes nothing, a miss replaces the oldest fill.</summary>
internal struct FifoPolicy : IReplacementPolicy
{
    private readonly ulong[] _order;
    private readonly ulong _mask;
    private readonly int _lastShift;

    public FifoPolicy(long sets, int ways)
    {
        _order = new ulong[sets];
        Array.Fill(_order, RecencyOrder.Initial(ways));
        _mask = RecencyOrder.Mask(ways);
        _lastShift = 4 * (ways - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Replace(int set, int filled) =>
        RecencyOrder.RotateLast(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_order), set), _lastShift, _mask);
}
