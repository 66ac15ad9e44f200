using System.Runtime.CompilerServices;
namespace MmSim.Machine;

/// <summary>
/// Event counters of /proc/vmstat (include/linux/vm_event_item.h), with the kernel's names as printed by
/// mm/vmstat.c. State counters (nr_free_pages, nr_inactive_anon, ...) are computed from the structures instead.
/// </summary>
public enum VmEvent
{
    pgpgin, pgpgout, pswpin, pswpout,
    pgalloc_dma, pgalloc_dma32, pgalloc_normal, pgalloc_movable,
    allocstall_dma, allocstall_dma32, allocstall_normal, allocstall_movable,
    pgfree, pgactivate, pgdeactivate, pglazyfree,
    pgfault, pgmajfault, pglazyfreed, pgrefill, pgreuse,
    pgsteal_kswapd, pgsteal_direct, pgscan_kswapd, pgscan_direct, pgscan_direct_throttle,
    pgscan_anon, pgscan_file, pgsteal_anon, pgsteal_file,
    pginodesteal, slabs_scanned, kswapd_inodesteal, kswapd_low_wmark_hit_quickly, kswapd_high_wmark_hit_quickly,
    pageoutrun, pgrotated, oom_kill,
    workingset_refault_anon, workingset_refault_file, workingset_activate_anon, workingset_activate_file,
    workingset_restore_anon, workingset_restore_file, workingset_nodereclaim,
    unevictable_pgs_culled, unevictable_pgs_mlocked, unevictable_pgs_munlocked,
    thp_fault_alloc, swap_ra, swap_ra_hit,
    /// <summary>Node counters printed among the events: pages dirtied and written back.</summary>
    nr_dirtied, nr_written, nr_vmscan_immediate_reclaim,
    Count,
}

/// <summary>The event counters of one machine, indexed by <see cref="VmEvent"/>.</summary>
public sealed class VmEventCounters
{
    private readonly long[] _values = new long[(int)VmEvent.Count];

    public long this[VmEvent e]
    {
        get => _values[(int)e];
        set => _values[(int)e] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Inc(VmEvent e) => _values[(int)e]++;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Add(VmEvent e, long n) => _values[(int)e] += n;

    public long[] Snapshot() => (long[])_values.Clone();
}
