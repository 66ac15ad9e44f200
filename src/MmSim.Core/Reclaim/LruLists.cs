using System.Runtime.CompilerServices;
using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary>
/// The LRU lists of the (single-node, root-memcg) lruvec. Pages are added at the head and scanned from the tail, as
/// in the kernel; the list a frame is on is kept in its flags (bits 8..10) next to PG_lru.
/// </summary>
/// <remarks>
/// The kernel threads its lists through struct page (list_head). Here each list is an array of page frame numbers in
/// list order, tail (oldest) at the low end and head (newest) at the high end, with −1 left where a page was taken
/// out of the middle. The order is the kernel's exactly, and the scan from the tail (isolate_lru_folios) reads
/// consecutive ints instead of chasing one link after another through a table of all frames — that chase, one cache
/// miss per page scanned, was the single largest stall of a reclaim-heavy run (11 % of its time). A page on a list
/// keeps its slot in the array in <see cref="Frame.LruSlot"/>. The array is compacted (live entries moved together, slots rewritten) when an end runs out of room,
/// and doubles when they fill more than a third of it: O(1) amortised per operation, no allocation in steady
/// state.
/// </remarks>
public sealed class LruLists
{
    private const int ListShift = 8;
    private const uint ListMask = 7u << ListShift;

    private readonly Frame[] _frames;
    private readonly VmEventCounters _events;
    private const int MinCapacity = 1024;
    /// <summary>Each list's pages in order, tail first; −1 where a page left (and in every slot outside
    /// [_lo, _hi)). The entries at _lo and _hi − 1 are live whenever the list is not empty.</summary>
    private readonly int[][] _q = new int[5][];
    private readonly int[] _lo = new int[5];
    private readonly int[] _hi = new int[5];
    private readonly long[] _size = new long[5];
    /// <summary>Pages of each list in each zone (the zone's NR_ZONE_LRU_* counters), [list * 4 + zone].</summary>
    private readonly long[] _zoneSize = new long[5 * 4];
    private readonly PhysicalMemory _phys;

    public LruLists(PhysicalMemory phys, VmEventCounters events)
    {
        _phys = phys;
        _frames = phys.Frames;
        _events = events;
        for (int l = 0; l < 5; l++)
        {
            _q[l] = NewSlots(MinCapacity);
            _lo[l] = _hi[l] = MinCapacity / 2;
        }
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
    /// <summary>The page at the head (the newest), or −1 if the list is empty.</summary>
    public int Head(LruList list)
    {
        int l = (int)list;
        return _hi[l] > _lo[l] ? _q[l][_hi[l] - 1] : -1;
    }

    /// <summary>The page at the tail (the oldest, where scans start), or −1 if the list is empty.</summary>
    public int Tail(LruList list)
    {
        int l = (int)list;
        return _hi[l] > _lo[l] ? _q[l][_lo[l]] : -1;
    }

    /// <summary>The next page toward the head (the one added after <paramref name="pfn"/>), or −1.</summary>
    public int Newer(int pfn)
    {
        int l = (int)((_frames[pfn].Flags & ListMask) >> ListShift);
        int[] q = _q[l];
        int hi = _hi[l];
        for (int i = _frames[pfn].LruSlot + 1; i < hi; i++)
            if (q[i] >= 0) return q[i];
        return -1;
    }

    /// <summary>The next page toward the tail (the one added before <paramref name="pfn"/>), or −1.</summary>
    public int Older(int pfn)
    {
        int l = (int)((_frames[pfn].Flags & ListMask) >> ListShift);
        int[] q = _q[l];
        int lo = _lo[l];
        for (int i = _frames[pfn].LruSlot - 1; i >= lo; i--)
            if (q[i] >= 0) return q[i];
        return -1;
    }

    /// <summary>
    /// The list's slots from the tail toward the head (−1: a page that left), for a scan that takes pages only after
    /// it has looked (isolate_lru_folios). Valid until the next add to any list.
    /// </summary>
    public ReadOnlySpan<int> FromTail(LruList list)
    {
        int l = (int)list;
        return _q[l].AsSpan(_lo[l], _hi[l] - _lo[l]);
    }

    /// <summary>The slot of the tail page, which <see cref="FromTail"/>'s span starts at.</summary>
    public int TailSlot(LruList list) => _lo[(int)list];

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
        int l = (int)list;
        f.Flags = (f.Flags & ~ListMask) | ((uint)l << ListShift) | (uint)FrameFlags.Lru;
        if (_hi[l] == _q[l].Length) Compact(l);
        int slot = _hi[l]++;
        _q[l][slot] = pfn;
        f.LruSlot = slot;
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
        int l = (int)list;
        f.Flags = (f.Flags & ~ListMask) | ((uint)l << ListShift) | (uint)FrameFlags.Lru;
        if (_lo[l] == 0) Compact(l);
        int slot = --_lo[l];
        _q[l][slot] = pfn;
        f.LruSlot = slot;
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
        RemoveAt(l, f.LruSlot, pfn);
    }

    /// <summary>Takes off list <paramref name="list"/> the page at <paramref name="slot"/> (<see cref="TailSlot"/> plus
    /// its index in <see cref="FromTail"/>): a scan that found it there need not read the slot from the frame again.</summary>
    public void RemoveSlot(LruList list, int slot)
    {
        int l = (int)list;
        RemoveAt(l, slot, _q[l][slot]);
    }

    private void RemoveAt(int l, int slot, int pfn)
    {
        ref var f = ref _frames[pfn];
        int[] q = _q[l];
        q[slot] = -1;
        f.LruSlot = -1;
        // Keep both ends on live pages (Head and Tail read them).
        if (slot == _lo[l]) { int lo = slot + 1, hi = _hi[l]; while (lo < hi && q[lo] < 0) lo++; _lo[l] = lo; }
        else if (slot == _hi[l] - 1) { int hi = slot, lo = _lo[l]; while (hi > lo && q[hi - 1] < 0) hi--; _hi[l] = hi; }
        if (_lo[l] == _hi[l]) _lo[l] = _hi[l] = q.Length / 2; // empty: room on both sides again
        f.Flags &= ~((uint)FrameFlags.Lru | ListMask);
        _size[l]--;
        _zoneSize[l * 4 + _phys.ZoneIndexOf(pfn)]--;
        Memcg?.LruRemove(pfn, l);
    }

    /// <summary>
    /// Makes room at both ends of list <paramref name="l"/>: its live pages are moved together (into a new array
    /// twice as large if they would fill more than a third of this one), in order, and their slots rewritten.
    /// Two thirds of the array or more are then free, so compactions are O(1) amortised.
    /// </summary>
    private void Compact(int l)
    {
        int[] q = _q[l];
        int lo = _lo[l], hi = _hi[l];
        int n = (int)_size[l];
        // Room for twice the live pages: a compaction moves every live page and rewrites its frame's slot, and
        // the window of a list that is scanned from the tail while pages come in at the head slides along the
        // array by the pages added, so the room decides how often it must be moved back (a reclaim-heavy run
        // moved 11 M pages with room for half the live ones, as many as it scanned).
        int need = 3 * n + MinCapacity;
        int[] dst = q.Length >= need ? q : NewSlots(Math.Max(need, q.Length * 2));
        // Most adds are at the head (new pages, putback); only rotation adds at the tail, and the scans take pages
        // off it: an eighth of the room goes to the tail side.
        int start = (dst.Length - n) / 8;
        if (dst == q)
        {
            // In place: squeeze the live pages down to [lo, lo + n) (each moves down or stays), then move the
            // block to the middle (Array.Copy handles the overlap) and clear what it left behind.
            int k = lo;
            for (int i = lo; i < hi; i++)
                if (q[i] >= 0) q[k++] = q[i];
            Array.Copy(q, lo, q, start, n);
            for (int i = lo; i < hi; i++)
                if (i < start || i >= start + n) q[i] = -1;
        }
        else
        {
            int k = start;
            for (int i = lo; i < hi; i++)
                if (q[i] >= 0) dst[k++] = q[i];
            _q[l] = dst;
        }
        for (int i = start; i < start + n; i++) _frames[dst[i]].LruSlot = i;
        _lo[l] = start;
        _hi[l] = start + n;
    }

    private static int[] NewSlots(int n)
    {
        var q = new int[n];
        Array.Fill(q, -1);
        return q;
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

    /// <summary>Walks every list and checks slots, flags and sizes (for the invariant checks).</summary>
    public void CheckInvariants()
    {
        for (int l = 0; l < 5; l++)
        {
            int[] q = _q[l];
            int lo = _lo[l], hi = _hi[l];
            long n = 0;
            for (int i = 0; i < q.Length; i++)
            {
                int p = q[i];
                if (p < 0) continue;
                if (i < lo || i >= hi) throw new InvalidOperationException($"LRU {(LruList)l}: pfn {p} at slot {i}, outside [{lo}, {hi})");
                ref var f = ref _frames[p];
                if (_frames[p].LruSlot != i) throw new InvalidOperationException($"LRU {(LruList)l}: pfn {p} at slot {i} says slot {_frames[p].LruSlot}");
                if ((f.Flags & (uint)FrameFlags.Lru) == 0 || (int)((f.Flags & ListMask) >> ListShift) != l)
                    throw new InvalidOperationException($"LRU {(LruList)l}: pfn {p} is listed but not flagged on it");
                n++;
            }
            if (n != _size[l]) throw new InvalidOperationException($"LRU {(LruList)l}: {n} listed, size says {_size[l]}");
            if (n > 0 && (q[lo] < 0 || q[hi - 1] < 0)) throw new InvalidOperationException($"LRU {(LruList)l}: an end is not a live page");
        }
    }
}
