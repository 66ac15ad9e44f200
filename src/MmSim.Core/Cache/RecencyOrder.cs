using System.Runtime.CompilerServices;

namespace MmSim.Cache;

/// <summary>
/// A set's ways (at most 16) in one ulong, a nibble each: nibble k is the way at rank k, rank 0 the most recently
/// used (LRU) or filled (FIFO), the last rank the victim. Moving a way to the front or replacing the last is a
/// few shifts and masks, with no loop over the ways and no branch.
/// </summary>
internal static class RecencyOrder
{
    public const int MaxWays = 16;
    private const ulong Ones = 0x1111_1111_1111_1111UL, Highs = 0x8888_8888_8888_8888UL;

    /// <summary>The starting order: way 0 last, so empty ways are filled 0, 1, 2, ... as the policies' contract says.</summary>
    public static ulong Initial(int ways)
    {
        ulong o = 0;
        for (int rank = 0; rank < ways; rank++) o |= (ulong)(ways - 1 - rank) << (4 * rank);
        return o;
    }

    /// <summary>The nibbles of the ranks in use.</summary>
    public static ulong Mask(int ways) => ways >= MaxWays ? ulong.MaxValue : (1UL << (4 * ways)) - 1;

    /// <summary><paramref name="order"/> with <paramref name="way"/> moved to rank 0 and the ranks before it moved
    /// back one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MoveToFront(ulong order, int way)
    {
        // Nibbles equal to way become 0; the lowest zero nibble is found exactly by the borrow trick (a false
        // positive can only appear above a true zero), and way is in the ranks in use, below any unused nibble.
        ulong x = order ^ (Ones * (ulong)way);
        ulong zero = (x - Ones) & ~x & Highs;
        ulong upTo = ((zero & (0 - zero)) << 1) - 1; // nibbles 0 .. rank of way (all ones at rank 15)
        return (order & ~upTo) | ((order << 4) & upTo) | (uint)way;
    }

    /// <summary>The way at the last rank of <paramref name="order"/>, which becomes rank 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RotateLast(ref ulong order, int lastShift, ulong mask)
    {
        int victim = (int)(order >> lastShift) & 0xF;
        order = ((order << 4) | (uint)victim) & mask;
        return victim;
    }
}
