using System.Runtime.CompilerServices;
using MmSim.Physical;

namespace MmSim.Swap;

/// <summary>
/// An anonymous page keeps its virtual page number in <see cref="Frame.Index"/> (bits 0..35) and, while it is in
/// the swap cache, its swap slot + 1 above (the kernel keeps the swap entry in folio->swap). This keeps the frame
/// at 32 bytes.
/// </summary>
public static class SwapSlotBits
{
    private const int Shift = 36;
    private const long VpnMask = (1L << Shift) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Vpn(in Frame f) => f.Index & VpnMask;

    /// <summary>The swap slot of a page in the swap cache, -1 if none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Slot(in Frame f) => (int)(f.Index >> Shift) - 1;

    public static void SetSlot(ref Frame f, int slot) => f.Index = (f.Index & VpnMask) | ((long)(slot + 1) << Shift);
}
