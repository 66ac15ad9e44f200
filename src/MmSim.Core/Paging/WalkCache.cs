using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Paging;

/// <summary>
/// The simulator's memo of the walk's upper levels for one address space: the leaf (PTE) table that covers an
/// address, by the address bits above the leaf table's span (2 MiB with x86-64's 4 KiB pages). The CPU's
/// paging-structure caches hold the same thing, but this one is the simulator's own shortcut, not a model: it
/// changes no count and no simulated time (a TLB miss still costs the whole walk). It saves the three dependent
/// upper-level reads of each walk, which the access loop, the fault handler and reclaim's rmap do several times
/// per simulated page.
/// </summary>
/// <remarks>
/// Direct-mapped, positive results only. Adding a table never makes an entry wrong; freeing one can (its id may
/// be reused), so every entry belongs to a <see cref="PageTablePool.Generation"/>, which the pool advances
/// whenever it frees a table: a lookup in an older generation misses, and the first fill in the new one clears
/// the whole memo.
/// </remarks>
public sealed class WalkCache
{
    private const int Size = 1024; // 16 KiB: covers 2 GiB of 4 KiB pages without a conflict

    private struct Entry
    {
        public long Key;  // the address's span number + 1 (0 = empty)
        public int Table; // the leaf table's pool id
    }

    private readonly Entry[] _entries = new Entry[Size];
    private int _generation;

    /// <summary>The leaf table for span <paramref name="span"/>, or −1 if not remembered in this generation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(long span, int generation)
    {
        ref var e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (int)span & (Size - 1));
        return e.Key == span + 1 && _generation == generation ? e.Table : -1;
    }

    /// <summary>Remembers that span <paramref name="span"/>'s leaf table is <paramref name="table"/>.</summary>
    public void Add(long span, int table, int generation)
    {
        if (_generation != generation)
        {
            Array.Clear(_entries);
            _generation = generation;
        }
        ref var e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (int)span & (Size - 1));
        e.Key = span + 1;
        e.Table = table;
    }
}
