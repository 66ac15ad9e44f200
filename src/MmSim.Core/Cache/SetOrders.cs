using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Cache;

/// <summary>One <see cref="RecencyOrder"/> per set: the whole state of the LRU and FIFO policies.</summary>
internal readonly struct SetOrders
{
    private readonly ulong[] _order;
    private readonly ulong _mask;
    private readonly int _lastShift;

    public SetOrders(long sets, int ways)
    {
        _order = new ulong[sets];
        Array.Fill(_order, RecencyOrder.Initial(ways));
        _mask = RecencyOrder.Mask(ways);
        _lastShift = 4 * (ways - 1);
    }

    /// <summary>Set <paramref name="set"/>'s order (the set index is masked by the caller: no bounds check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong At(int set) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_order), set);

    /// <summary>The way at the set's last rank, which becomes rank 0 (a fill).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RotateLast(int set) => RecencyOrder.RotateLast(ref At(set), _lastShift, _mask);
}
