using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary>
/// Refault detection (mm/workingset.c): an evicted page leaves a shadow entry holding the lruvec's
/// nonresident_age at eviction and whether the page was in the workingset. When the page comes back, the
/// refault distance — how many evictions and activations happened meanwhile — tells whether it would have stayed
/// resident with that much more memory; if the distance fits in the workingset, the page is activated at once.
/// </summary>
public sealed class Workingset
{
    private readonly Kernel _k;

    public Workingset(Kernel kernel) => _k = kernel;

    /// <summary>workingset_eviction: ages the lruvec and returns the shadow (never 0).</summary>
    public long Eviction(int pfn)
    {
        _k.NonresidentAge++;
        bool workingset = (_k.Frames[pfn].Flags & (uint)FrameFlags.Workingset) != 0;
        return ((_k.NonresidentAge << 1) | (workingset ? 1L : 0L)) + 2;
    }

    /// <summary>
    /// workingset_refault: called for a page being added back (page cache or swap cache) where a shadow was
    /// left. Counts the refault; sets PG_active when the refault distance is within the workingset size, and
    /// PG_workingset (plus the cost note) when the page was part of the workingset before.
    /// </summary>
    public void Refault(int pfn, long shadow)
    {
        ref var f = ref _k.Frames[pfn];
        bool file = (f.Flags & (uint)FrameFlags.SwapBacked) == 0;
        long token = shadow - 2;
        long eviction = token >> 1;
        bool workingset = (token & 1) != 0;
        _k.Events.Inc(file ? VmEvent.workingset_refault_file : VmEvent.workingset_refault_anon);
        _k.Memcg?.NoteRefault(pfn, file); // memcg issue
        long distance = _k.NonresidentAge - eviction;
        var lru = _k.Lru;
        long size = lru.Size(LruList.ActiveFile);
        if (!file) size += lru.Size(LruList.InactiveFile);
        if (_k.Swap.FreeSlots > 0)
        {
            size += lru.Size(LruList.ActiveAnon);
            if (file) size += lru.Size(LruList.InactiveAnon);
        }
        if (distance > size) return;
        f.Flags |= (uint)FrameFlags.Active;
        _k.NonresidentAge++;
        _k.Events.Inc(file ? VmEvent.workingset_activate_file : VmEvent.workingset_activate_anon);
        if (workingset)
        {
            if (_k.Memcg is { } mc) mc.WorkingsetRefaults++; // memcg issue: PSI counts the wait as a memory stall
            f.Flags |= (uint)FrameFlags.Workingset;
            // lru_note_cost_refault: the page's I/O counts against its type.
            CostModel.NoteCost(_k, file, 1, 0);
            _k.Events.Inc(file ? VmEvent.workingset_restore_file : VmEvent.workingset_restore_anon);
        }
    }
}

/// <summary>lru_note_cost (mm/swap.c, 6.2+): the I/O and rotation cost of reclaiming each type, which
/// get_scan_count weighs against swappiness.</summary>
public static class CostModel
{
    public const int SwapClusterMax = 32;

    public static void NoteCost(Kernel k, bool file, long nrIo, long nrRotated)
    {
        long cost = nrIo * SwapClusterMax + nrRotated;
        if (file) k.FileCost += cost; else k.AnonCost += cost;
        var l = k.Lru;
        long lrusize = l.Size(LruList.InactiveAnon) + l.Size(LruList.ActiveAnon) + l.Size(LruList.InactiveFile) + l.Size(LruList.ActiveFile);
        if (k.FileCost + k.AnonCost > lrusize / 4)
        {
            k.FileCost /= 2;
            k.AnonCost /= 2;
        }
    }
}
