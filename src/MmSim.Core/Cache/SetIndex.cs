using System.Numerics;
using System.Runtime.CompilerServices;

namespace MmSim.Cache;

/// <summary>
/// The set of a block number: a mask when the set count is a power of two; otherwise the count is odd × 2^k and
/// the set is ((block >> k) mod odd) << k | the low k bits, with the mod by a multiply (Lemire's fastmod, as
/// .NET's HashHelpers.FastMod) while block >> k fits 32 bits, a division beyond. Same result as block % sets.
/// </summary>
internal readonly struct SetIndex
{
    private readonly ulong _lowMask;
    private readonly int _k;
    private readonly uint _odd;
    private readonly ulong _multiplier;

    public SetIndex(long sets)
    {
        _k = BitOperations.TrailingZeroCount((ulong)sets);
        _lowMask = (1UL << _k) - 1;
        _odd = checked((uint)(sets >> _k));
        _multiplier = _odd == 1 ? 0 : ulong.MaxValue / _odd + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Of(ulong block)
    {
        if (_odd == 1) return (int)(block & _lowMask);
        ulong q = block >> _k;
        ulong r = q <= uint.MaxValue
            ? (((_multiplier * q) >> 32) + 1) * _odd >> 32
            : q % _odd;
        return (int)((r << _k) | (block & _lowMask));
    }
}
