using System.Runtime.CompilerServices;
using System.Numerics;

namespace MmSim.Paging;

/// <summary>
/// The shape of the page-table radix tree for the simulated x86-64 machine. With 4 KiB pages it is x86-64's
/// 4-level paging (PGD 47-39, PUD 38-30, PMD 29-21, PTE 20-12; P4D folded). Larger page sizes follow the arm64
/// granules: a table fills one page (page size / 8 entries), and as many levels as cover the 48-bit address
/// (16 KiB → 4 levels of 11 bits, 64 KiB → 3 levels of 13 bits). With <c>la57</c> (machine.translation
/// x86_64_la57, 4 KiB pages only) it is 5-level paging: PGD 56-48, P4D 47-39, then as 4-level; addresses are
/// canonical at 57 bits and the kernel half starts at 0xff00000000000000. mmap still places mappings below
/// TASK_SIZE_MAX's 47-bit window (DEFAULT_MAP_WINDOW), as Linux does without an address hint.
/// </summary>
public sealed class PagingLayout
{
    /// <summary>Address bits translated by the tree (x86-64 4-level: 48).</summary>
    public const int VirtualBits = 48;
    /// <summary>Linux TASK_SIZE_MAX: 2^47 − 4096; user space ends here.</summary>
    public const ulong TaskSizeMax = (1UL << 47) - 4096;
    /// <summary>Start of the kernel half (the first canonical address with bit 47 set).</summary>
    public const ulong KernelStart = 0xFFFF_8000_0000_0000UL;

    public int PageSize { get; }
    public int PageShift { get; }
    public int BitsPerLevel { get; }
    public int EntriesPerTable { get; }
    public int Levels { get; }
    /// <summary>Shift of the index at each level, root first.</summary>
    public int[] LevelShift { get; }
    public string[] LevelNames { get; }

    /// <summary>Address bits this layout translates: 48, or 57 with LA57.</summary>
    public int TranslatedBits { get; }
    public bool La57 { get; }

    public PagingLayout(int pageSize, bool la57 = false)
    {
        if (la57 && pageSize != 4096) throw new ArgumentException("5-level paging needs 4 KiB pages", nameof(la57));
        La57 = la57;
        TranslatedBits = la57 ? 57 : VirtualBits;
        PageSize = pageSize;
        PageShift = BitOperations.Log2((uint)pageSize);
        EntriesPerTable = pageSize / 8;
        BitsPerLevel = BitOperations.Log2((uint)EntriesPerTable);
        Levels = (TranslatedBits - PageShift + BitsPerLevel - 1) / BitsPerLevel;
        LevelShift = new int[Levels];
        for (int l = 0; l < Levels; l++)
            LevelShift[l] = PageShift + BitsPerLevel * (Levels - 1 - l);
        LevelNames = Levels switch
        {
            5 => ["PGD", "P4D", "PUD", "PMD", "PTE"],
            4 => ["PGD", "PUD", "PMD", "PTE"],
            3 => ["PGD", "PMD", "PTE"],
            _ => Enumerable.Range(0, Levels).Select(l => l == Levels - 1 ? "PTE" : $"L{Levels - l}").ToArray(),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Index(ulong address, int level) =>
        (int)((address >> LevelShift[level]) & (ulong)(EntriesPerTable - 1));

    /// <summary>The PTE's index in its leaf table (<see cref="Index"/> at the last level, whose shift is the page
    /// shift), without the array read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int LeafIndex(ulong address) =>
        (int)((address >> PageShift) & (ulong)(EntriesPerTable - 1));

    /// <summary>Canonical for 48-bit addresses: bits 63..47 all equal.</summary>
    public static bool IsCanonical(ulong address) => address < (1UL << 47) || address >= KernelStart;

    /// <summary>Start of the kernel half for this layout.</summary>
    public ulong KernelHalfStart
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => La57 ? 0xFF00_0000_0000_0000UL : KernelStart;
    }

    /// <summary>Canonical for this layout's width: bits 63..N−1 all equal (N = 48, or 57 with LA57).</summary>
    public bool IsCanonicalAddress(ulong address) =>
        address < (1UL << (TranslatedBits - 1)) || address >= KernelHalfStart;

    public AddressKind ClassifyAddress(ulong address) =>
        address < (1UL << (TranslatedBits - 1)) ? AddressKind.User
        : address >= KernelHalfStart ? AddressKind.Kernel : AddressKind.NonCanonical;

    /// <summary>Whether a table at <paramref name="level"/> (below the PGD) counts in the mm's pgtables_bytes
    /// (VmPTE): mm_inc_nr_puds/pmds/ptes exist, but nothing counts a P4D.</summary>
    public bool CountsInPgtablesBytes(int level) => level > 0 && !(La57 && level == 1);

    public static AddressKind Classify(ulong address) =>
        address < (1UL << 47) ? AddressKind.User : address >= KernelStart ? AddressKind.Kernel : AddressKind.NonCanonical;
}

public enum AddressKind { User, Kernel, NonCanonical }
