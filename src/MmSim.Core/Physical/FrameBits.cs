using System.Runtime.CompilerServices;

namespace MmSim.Physical;

/// <summary>Helpers on <see cref="Frame.Flags"/>: state tests and the buddy order kept in bits 24..27.</summary>
public static class FrameBits
{
    public const int OrderShift = 24;
    public const uint OrderMask = 0xFu << OrderShift;

    /// <summary>The order of a free block head (<c>buddy_order()</c>); meaningful only with <see cref="FrameFlags.Buddy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BuddyOrder(this in Frame f) => (int)((f.Flags & OrderMask) >> OrderShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Has(this in Frame f, FrameFlags flag) => (f.Flags & (uint)flag) != 0;

    /// <summary>PageBuddy: the head of a free block.</summary>
    public static bool IsBuddyHead(this in Frame f) => (f.Flags & (uint)FrameFlags.Buddy) != 0;
    public static bool IsReserved(this in Frame f) => (f.Flags & (uint)FrameFlags.Reserved) != 0;
    public static bool IsAllocated(this in Frame f) => (f.Flags & (uint)FrameFlags.Allocated) != 0;

    /// <summary>Flags of a free block head of the given order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BuddyHeadFlags(int order) => (uint)FrameFlags.Buddy | ((uint)order << OrderShift);
}
