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
public sealed class PageTablePool
{
    private ulong[][] _tables = new ulong[64][];
    private int[] _frames = new int[64];
    private readonly Stack<int> _freeIds = new();
    private readonly int _entries;
    private int _next;

    public PageTablePool(int entriesPerTable) => _entries = entriesPerTable;

    /// <summary>Live tables.</summary>
    public int Count { get; private set; }

    public ulong[] this[int id] => _tables[id];

    /// <summary>
    /// Entry <paramref name="slot"/> of table <paramref name="id"/>, by reference, without the bounds check of
    /// <c>this[id][slot]</c>: that check reads the table's length from its array header, a second cache line
    /// beside the entry's on every walk. The hot paths' slots are masked to the table size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong Entry(int id, int slot)
    {
        var t = _tables[id];
        Debug.Assert((uint)slot < (uint)t.Length);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(t), slot);
    }

    /// <summary>
    /// Asks the CPU to bring in, ahead of their use, the cache lines of an entry and of its table's array header
    /// (which the null and bounds checks read). The address comes from the reference itself: dereferencing it
    /// here would wait for the very miss this is meant to start. No effect on the simulation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(int id, int slot)
    {
        if (!Sse.IsSupported || (uint)id >= (uint)_next) return;
        ulong[] t = _tables[id];
        byte* header = (byte*)Unsafe.As<ulong[], nint>(ref t);
        Sse.Prefetch0(header);
        Sse.Prefetch0(header + ArrayDataOffset + (nint)slot * sizeof(ulong));
    }

    /// <summary>Where an array's elements start, from its reference (the method table pointer and the length).</summary>
    private static readonly nint ArrayDataOffset = 2 * IntPtr.Size;
    public int FrameOf(int id) => _frames[id];

    public int Add(int pfn)
    {
        int id;
        if (_freeIds.Count > 0)
        {
            id = _freeIds.Pop();
            Array.Clear(_tables[id]);
        }
        else
        {
            id = _next++;
            if (id == _tables.Length)
            {
                Array.Resize(ref _tables, id * 2);
                Array.Resize(ref _frames, id * 2);
            }
            _tables[id] = new ulong[_entries];
        }
        _frames[id] = pfn;
        Count++;
        return id;
    }

    public void Remove(int id)
    {
        _frames[id] = -1;
        _freeIds.Push(id);
        Count--;
    }
}
