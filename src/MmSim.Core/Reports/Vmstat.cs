using MmSim.Machine;
using MmSim.PageCache;
using MmSim.Physical;
using MmSim.Reclaim;

namespace MmSim.Reports;

/// <summary>/proc/vmstat (mm/vmstat.c): state counters, then the event counters, with the kernel's names.</summary>
public static class Vmstat
{
    public static OrderedDictionary<string, long> Build(Kernel k)
    {
        var lru = k.Lru;
        var (thresh, bg) = DirtyLimits.Compute(k);
        var d = new OrderedDictionary<string, long>
        {
            ["nr_free_pages"] = k.Phys.NrFreePages,
            ["nr_inactive_anon"] = lru.Size(LruList.InactiveAnon),
            ["nr_active_anon"] = lru.Size(LruList.ActiveAnon),
            ["nr_inactive_file"] = lru.Size(LruList.InactiveFile),
            ["nr_active_file"] = lru.Size(LruList.ActiveFile),
            ["nr_unevictable"] = lru.Size(LruList.Unevictable),
            ["nr_anon_pages"] = k.NrAnonMapped,
            ["nr_mapped"] = k.NrFileMapped,
            ["nr_file_pages"] = k.NrFilePages,
            ["nr_dirty"] = k.NrFileDirty,
            ["nr_writeback"] = k.NrWriteback,
            ["nr_shmem"] = k.NrShmem,
            ["nr_kernel_stack"] = k.NrKernelStackKb,
            ["nr_page_table_pages"] = k.NrPageTable,
            ["nr_swapcached"] = k.NrSwapCache,
            ["nr_dirty_threshold"] = thresh,
            ["nr_dirty_background_threshold"] = bg,
        };
        for (var e = (VmEvent)0; e < VmEvent.Count; e++) d[e.ToString()] = k.Events[e];
        // pgalloc_<zone> lives in the zones themselves.
        foreach (var z in k.Phys.Zones)
        {
            string name = z.Type switch
            {
                ZoneType.Dma => "pgalloc_dma",
                ZoneType.Dma32 => "pgalloc_dma32",
                ZoneType.Normal => "pgalloc_normal",
                _ => "pgalloc_movable",
            };
            d[name] = z.AllocCount;
        }
        return d;
    }
}
