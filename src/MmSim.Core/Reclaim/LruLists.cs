using System.Runtime.CompilerServices;
using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary>
/// The LRU lists of the (single-node, root-memcg) lruvec: intrusive doubly linked lists threaded through
/// <see cref="FrameLink.Prev"/>/<see cref="FrameLink.Next"/>. Pages are added at the head and scanned from the tail, as in
/// the kernel. The list a frame is on is kept in its flags (bits 8..10) next to PG_lru.
/// </summary>
public sealed class LruLists
{
    private const int ListShift = 8;
    private const uint ListMask = 7u << ListShift;

    private readonly Frame[] _frames;
    private readonly FrameLink[] _links;
    private readonly VmEventCounters _events;
    private readonly int[] _head = new int[5];
    private readonly int[] _tail = new int[5];
    private readonly long[] _size = new long[5];
    /// <summary>Pages of each list in each zone (the zone's NR_ZONE_LRU_* counters), [list * 4 + zone].</summary>
    private readonly long[] _zoneSize = new long[5 * 4];
    private readonly PhysicalMemory _phys;

    public LruLists(PhysicalMemory phys, VmEventCounters events)
    {
        _phys = phys;
        _frames = phys.Frames;
        _links = phys.Links;
        _events = events;
        Array.Fill(_head, -1);
        Array.Fill(_tail, -1);
    }

    public long Size(LruList list) => _size[(int)list];

    /// <summary>Called on each activation by folio_mark_accessed (workingset_activation ages the lruvec).</summary>
    public Action? Activated;

    /// <summary>lruvec_lru_size: pages of the list in zones up to <paramref name="highestZone"/>.</summary>
    public long Size(LruList list, ZoneType highestZone)
    {
        long n = 0;
        for (int z = 0; z <= (int)highestZone; z++) n += _zoneSize[(int)list * 4 + z];
        return n;
    }

    /// <summary>Pages of the list in one zone.</summary>
    public long ZoneSize(LruList list, ZoneType zone) => _zoneSize[(int)list * 4 + (int)zone];
    public int Head(LruList list) => _head[(int)list];
    public int Tail(LruList list) => _tail[(int)list];

    public static bool IsFileList(LruList l) => l is LruList.InactiveFile or LruList.ActiveFile;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool OnLru(int pfn) => (_frames[pfn].Flags & (uint)FrameFlags.Lru) != 0;

    public LruList ListOf(int pfn) => (LruList)((_frames[pfn].Flags & ListMask) >> ListShift);

    /// <summary>
    /// <c>lru_cache_add</c> / <c>lruvec_add_folio</c>: unevictable pages to the unevictable list, otherwise the
    /// inactive or (PG_active) active list of the page's type, at the head.
    /// </summary>
    public void Add(int pfn)
    {
        ref var f = ref _frames[pfn];
        bool file = (f.Flags & (uint)FrameFlags.SwapBacked) == 0;
        LruList list;
        if ((f.Flags & (uint)FrameFlags.Unevictable) != 0) list = LruList.Unevictable;
        else if ((f.Flags & (uint)FrameFlags.Active) != 0) list = file ? LruList.ActiveFile : LruList.ActiveAnon;
        else list = file ? LruList.InactiveFile : LruList.InactiveAnon;
        AddTo(pfn, list);
    }

    private void AddTo(int pfn, LruList list)
    {
        ref var f = ref _frames[pfn];
        ref var link = ref _links[pfn];
        int l = (int)list;
        f.Flags = (f.Flags & ~ListMask) | ((uint)l << ListShift) | (uint)FrameFlags.Lru;
        link.Prev = -1;
        link.Next = _head[l];
        if (_head[l] >= 0) _links[_head[l]].Prev = pfn;
        else _tail[l] = pfn;
        _head[l] = pfn;
        _size[l]++;
        _zoneSize[l * 4 + _phys.ZoneIndexOf(pfn)]++;
        Memcg?.LruAdd(pfn, l); // memcg issue: per-memcg lruvec sizes
    }

    /// <summary>Per-memcg list sizes (set when the scenario has cgroups).</summary>
    public Memcg.MemcgController? Memcg;

    /// <summary>lruvec_add_folio_tail: to the tail of a list, where the next scan starts (folio_rotate_reclaimable).</summary>
    public void AddTail(int pfn, LruList list)
    {
        Remove(pfn);
        ref var f = ref _frames[pfn];
        ref var link = ref _links[pfn];
        int l = (int)list;
        f.Flags = (f.Flags & ~ListMask) | ((uint)l << ListShift) | (uint)FrameFlags.Lru;
        link.Next = -1;
        link.Prev = _tail[l];
        if (_tail[l] >= 0) _links[_tail[l]].Next = pfn;
        else _head[l] = pfn;
        _tail[l] = pfn;
        _size[l]++;
        _zoneSize[l * 4 + _phys.ZoneIndexOf(pfn)]++;
        Memcg?.LruAdd(pfn, l);
    }

    /// <summary><c>lruvec_del_folio</c>: takes the page off whatever list it is on (no-op if none).</summary>
    public void Remove(int pfn)
    {
        ref var f = ref _frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Lru) == 0) return;
        int l = (int)((f.Flags & ListMask) >> ListShift);
        ref var link = ref _links[pfn];
        if (link.Prev >= 0) _links[link.Prev].Next = link.Next; else _head[l] = link.Next;
        if (link.Next >= 0) _links[link.Next].Prev = link.Prev; else _tail[l] = link.Prev;
        link.Prev = link.Next = -1;
        f.Flags &= ~((uint)FrameFlags.Lru | ListMask);
        _size[l]--;
        _zoneSize[l * 4 + _phys.ZoneIndexOf(pfn)]--;
        Memcg?.LruRemove(pfn, l);
    }

    /// <summary>Moves a page to the head of another list (activation, deactivation, rotation).</summary>
    public void Move(int pfn, LruList to)
    {
        Remove(pfn);
        AddTo(pfn, to);
    }

    /// <summary>
    /// <c>folio_mark_accessed</c> (mm/swap.c), for accesses through read()/write() rather than page tables:
    /// inactive,unreferenced → inactive,referenced → active,unreferenced → active,referenced. Activation counts
    /// pgactivate. Unevictable pages are left alone.
    /// </summary>
    public void MarkPageAccessed(int pfn)
    {
        ref var f = ref _frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Unevictable) != 0) return;
        bool referenced = (f.Flags & (uint)FrameFlags.Referenced) != 0;
        bool active = (f.Flags & (uint)FrameFlags.Active) != 0;
        if (!referenced)
        {
            f.Flags |= (uint)FrameFlags.Referenced;
        }
        else if (!active)
        {
            f.Flags = (f.Flags | (uint)FrameFlags.Active) & ~(uint)FrameFlags.Referenced;
            if (OnLru(pfn))
            {
                bool file = (f.Flags & (uint)FrameFlags.SwapBacked) == 0;
                Move(pfn, file ? LruList.ActiveFile : LruList.ActiveAnon);
            }
            _events.Inc(VmEvent.pgactivate);
            Activated?.Invoke();
        }
    }

    /// <summary>Walks every list and checks links and sizes (for the invariant checks).</summary>
    public void CheckInvariants()
    {
        for (int l = 0; l < 5; l++)
        {
            long n = 0;
            int prev = -1;
            for (int p = _head[l]; p >= 0; p = _links[p].Next)
            {
                ref var f = ref _frames[p];
                if (_links[p].Prev != prev) throw new InvalidOperationException($"LRU {(LruList)l}: broken back link at pfn {p}");
                if ((f.Flags & (uint)FrameFlags.Lru) == 0 || (int)((f.Flags & ListMask) >> ListShift) != l)
                    throw new InvalidOperationException($"LRU {(LruList)l}: pfn {p} is linked but not flagged on it");
                prev = p;
                if (++n > _size[l]) throw new InvalidOperationException($"LRU {(LruList)l}: longer than its size {_size[l]}");
            }
            if (n != _size[l]) throw new InvalidOperationException($"LRU {(LruList)l}: {n} linked, size says {_size[l]}");
            if (_tail[l] != prev) throw new InvalidOperationException($"LRU {(LruList)l}: tail mismatch");
        }
    }
}
