using System.Runtime.CompilerServices;
namespace MmSim.Paging;

/// <summary>
/// Page-table entry bits as on x86-64 (arch/x86/include/asm/pgtable_types.h). An entry is a <c>ulong</c>:
/// flags in the low 12 bits and bit 63, the frame number from bit 12. Upper-level entries hold the index of the
/// next table in the <see cref="PageTablePool"/>; the pool knows which frame each table lives in.
/// </summary>
public static class Pte
{
    public const ulong Present = 1UL << 0;   // _PAGE_PRESENT
    public const ulong Write = 1UL << 1;     // _PAGE_RW
    public const ulong User = 1UL << 2;      // _PAGE_USER
    public const ulong Accessed = 1UL << 5;  // _PAGE_ACCESSED: set by the CPU, sampled and cleared by reclaim
    public const ulong Dirty = 1UL << 6;     // _PAGE_DIRTY: set by the CPU on a write
    public const ulong Special = 1UL << 9;   // _PAGE_SPECIAL: no struct page behind it (the shared zero page)
    /// <summary>Software bit marking a non-present entry as a swap entry; the slot is in the frame field.</summary>
    public const ulong SwapEntry = 1UL << 10;
    public const ulong NoExec = 1UL << 63;   // _PAGE_NX
    public const int PfnShift = 12;
    public const ulong PfnMask = 0x000F_FFFF_FFFF_F000UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static long Pfn(ulong entry) => (long)((entry & PfnMask) >> PfnShift);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Make(long pfn, ulong flags) => ((ulong)pfn << PfnShift) | flags;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsPresent(ulong entry) => (entry & Present) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool IsSwap(ulong entry) => (entry & (Present | SwapEntry)) == SwapEntry;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong MakeSwap(int slot) => ((ulong)slot << PfnShift) | SwapEntry;

    public static string Describe(ulong entry)
    {
        if (entry == 0) return "none";
        if (IsSwap(entry)) return $"swap entry (slot {Pfn(entry)})";
        var parts = new List<string>(8);
        if ((entry & Present) != 0) parts.Add("P");
        if ((entry & Write) != 0) parts.Add("RW");
        if ((entry & User) != 0) parts.Add("US");
        if ((entry & Accessed) != 0) parts.Add("A");
        if ((entry & Dirty) != 0) parts.Add("D");
        if ((entry & Special) != 0) parts.Add("SPECIAL");
        if ((entry & NoExec) != 0) parts.Add("NX");
        return string.Join('|', parts);
    }
}
