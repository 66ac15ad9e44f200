using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Cache;

/// <summary>
/// LRU or FIFO for sets wider than <see cref="RecencyOrder.MaxWays"/> ways: each line keeps a stamp from a counter
/// (the time of its last use for LRU, of its fill for FIFO) and a miss in a full set replaces the line with the
/// smallest. Only stamps within a set are compared, so the counter ticks only when a stamp is written.
/// </summary>
internal struct AgePolicy : IReplacementPolicy
{
    private readonly long[] _stamps;
    private readonly int _ways, _stride;
    private readonly bool _lru;
    private long _clock;

    public AgePolicy(long sets, int ways, int stride, bool lru)
    {
        _stamps = new long[sets * stride];
        _ways = ways;
        _stride = stride;
        _lru = lru;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way)
    {
        if (_lru) Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stamps), set * _stride + way) = ++_clock;
    }

    public int Replace(int set, int filled)
    {
        ref long stamps = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stamps), set * _stride);
        int at = filled;
        if (filled == _ways)
        {
            // The first smallest stamp, selected with arithmetic rather than branches (stamps are below 2^62, so
            // the difference's sign says which is smaller).
            long b = stamps;
            at = 0;
            for (int i = 1; i < _ways; i++)
            {
                long diff = Unsafe.Add(ref stamps, i) - b;
                long less = diff >> 63;
                b += diff & less;
                at ^= (at ^ i) & (int)less;
            }
        }
        Unsafe.Add(ref stamps, at) = ++_clock;
        return at;
    }
}
