using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MmSim.Paging;

/// <summary>
/// Every page-table page of the machine: each is <c>EntriesPerTable</c> ulongs, indexed by a table id, and lives
/// in a real simulated frame (<see cref="FrameOf"/>), so VmPTE and PageTables come out of the structure itself.
/// Freed ids are reused.
/// </summary>
/// <remarks>
/// The tables are one flat array, table <c>id</c> at <c>id × EntriesPerTable</c>, so the MMU's walk reads an
/// entry with one load per level (<see cref="Entry"/>) instead of finding the table's own array first. The array
/// grows by doubling when a table is added: a <see cref="Span{T}"/> from the indexer must not be kept across
/// <see cref="Add"/> (writes through it would go to the old array).
/// </remarks>
public sealed class PageTablePool
{
    private ulong[] _entries;
    private int[] _frames = new int[64];
    private readonly Stack<int> _freeIds = new();
    private readonly int _perTable, _shift;
    private readonly int _leafSpanShift;
    private int _next;

    /// <param name="entriesPerTable">Entries of each table (a power of two).</param>
    /// <param name="leafSpanShift">The address bits above this shift name the leaf table that maps an address
    /// (21 with x86-64's 4 KiB pages: a PTE table maps 2 MiB); the key of <see cref="WalkCache"/>.</param>
    public PageTablePool(int entriesPerTable, int leafSpanShift)
    {
        if (entriesPerTable < 1 || (entriesPerTable & (entriesPerTable - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(entriesPerTable), "entries per table must be a power of two");
        _perTable = entriesPerTable;
        _shift = System.Numerics.BitOperations.Log2((uint)entriesPerTable);
        _leafSpanShift = leafSpanShift;
        _entries = new ulong[64 * entriesPerTable];
    }

    /// <summary>Advanced whenever a table is freed: a remembered walk (<see cref="WalkCache"/>) from an older
    /// generation may name a table that is gone or reused.</summary>
    public int Generation { get; private set; }

    /// <summary>The leaf table an address space's walk memo holds for <paramref name="address"/> in the current
    /// generation, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Remembered(WalkCache memo, ulong address) => memo.Find((long)(address >> _leafSpanShift), Generation);

    /// <summary>Remembers a walk's leaf table, found in <paramref name="generation"/> (read before the walk: a
    /// table freed during it makes the entry useless, not wrong).</summary>
    public void Remember(WalkCache memo, ulong address, int leaf, int generation) =>
        memo.Add((long)(address >> _leafSpanShift), leaf, generation);

    /// <summary>Live tables.</summary>
    public int Count { get; private set; }

    /// <summary>The entries of table <paramref name="id"/> (valid until the next <see cref="Add"/>).</summary>
    public Span<ulong> this[int id]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _entries.AsSpan(id << _shift, _perTable);
    }

    /// <summary>
    /// Entry <paramref name="index"/> of table <paramref name="id"/>: the walk's one load per level, without a
    /// bounds check (the hot paths' indices are masked to the table size and their ids are live tables).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong Entry(int id, int index)
    {
        Debug.Assert((uint)id < (uint)_next && (uint)index < (uint)_perTable);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (id << _shift) + index);
    }

    /// <summary>
    /// Asks the CPU to bring in, ahead of its use, the cache line of an entry. The address comes from the
    /// reference itself: dereferencing it here would wait for the very miss this is meant to start (and a move by
    /// the GC in between only makes the hint useless). No effect on the simulation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(int id, int index)
    {
        if (!Sse.IsSupported || (uint)id >= (uint)_next) return;
        Sse.Prefetch0(Unsafe.AsPointer(ref Entry(id, index)));
    }

    /// <summary>The index of entry <paramref name="index"/> of table <paramref name="id"/> in the flat pool: one int
    /// that names a PTE (for prefetch hints).</summary>
    public int FlatIndex(int id, int index) => (id << _shift) + index;

    /// <summary><see cref="Prefetch"/> by flat index; an index outside the pool's live tables (a stale hint) does
    /// nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchFlat(int flat)
    {
        if (!Sse.IsSupported || (uint)flat >= (uint)(_next << _shift)) return;
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), flat)));
    }

    public int FrameOf(int id) => _frames[id];

    public int Add(int pfn)
    {
        int id;
        if (_freeIds.Count > 0)
        {
            id = _freeIds.Pop();
            this[id].Clear();
        }
        else
        {
            id = _next++;
            if (id == _frames.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
                Array.Resize(ref _frames, id * 2);
            }
        }
        _frames[id] = pfn;
        Count++;
        return id;
    }

    public void Remove(int id)
    {
        _frames[id] = -1;
        _freeIds.Push(id);
        Generation++;
        Count--;
    }
}
