using System.Numerics;

namespace MmSim.Paging;

/// <summary>
/// The shape of the page-table radix tree for the simulated x86-64 machine. With 4 KiB pages it is x86-64's
/// 4-level paging (PGD 47-39, PUD 38-30, PMD 29-21, PTE 20-12; P4D folded). Larger page sizes follow the arm64
/// granules: a table fills one page (page size / 8 entries), and as many levels as cover the 48-bit address
/// (16 KiB → 4 levels of 11 bits, 64 KiB → 3 levels of 13 bits).
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

    public PagingLayout(int pageSize)
    {
        PageSize = pageSize;
        PageShift = BitOperations.Log2((uint)pageSize);
        EntriesPerTable = pageSize / 8;
        BitsPerLevel = BitOperations.Log2((uint)EntriesPerTable);
        Levels = (VirtualBits - PageShift + BitsPerLevel - 1) / BitsPerLevel;
        LevelShift = new int[Levels];
        for (int l = 0; l < Levels; l++)
            LevelShift[l] = PageShift + BitsPerLevel * (Levels - 1 - l);
        LevelNames = Levels switch
        {
            4 => ["PGD", "PUD", "PMD", "PTE"],
            3 => ["PGD", "PMD", "PTE"],
            _ => Enumerable.Range(0, Levels).Select(l => l == Levels - 1 ? "PTE" : $"L{Levels - l}").ToArray(),
        };
    }

    public int Index(ulong address, int level) =>
        (int)((address >> LevelShift[level]) & (ulong)(EntriesPerTable - 1));

    /// <summary>Canonical for 48-bit addresses: bits 63..47 all equal.</summary>
    public static bool IsCanonical(ulong address) => address < (1UL << 47) || address >= KernelStart;

    public static AddressKind Classify(ulong address) =>
        address < (1UL << 47) ? AddressKind.User : address >= KernelStart ? AddressKind.Kernel : AddressKind.NonCanonical;
}

public enum AddressKind { User, Kernel, NonCanonical }
