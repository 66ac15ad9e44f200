using MmSim.Machine;
using MmSim.Mm;
using MmSim.Reclaim;

namespace MmSim.Reports;

/// <summary>/proc/meminfo (fs/proc/meminfo.c, meminfo_proc_show): the same fields in the same order, in kB.</summary>
public static class Meminfo
{
    public static OrderedDictionary<string, long> Build(Kernel k)
    {
        long Kb(long pages) => k.PagesToKb(pages);
        var lru = k.Lru;
        long activeAnon = lru.Size(LruList.ActiveAnon), inactiveAnon = lru.Size(LruList.InactiveAnon);
        long activeFile = lru.Size(LruList.ActiveFile), inactiveFile = lru.Size(LruList.InactiveFile);
        long buffers = 0;
        long cached = Math.Max(0, k.NrFilePages - k.NrSwapCache - buffers);
        long mlocked = 0;
        var commitLimit = new Overcommit(k).CommitLimitPages();
        return new OrderedDictionary<string, long>
        {
            ["MemTotal"] = Kb(k.Phys.TotalRamPages),
            ["MemFree"] = Kb(k.Phys.NrFreePages),
            ["MemAvailable"] = Kb(MemAvailablePages(k)),
            ["Buffers"] = Kb(buffers),
            ["Cached"] = Kb(cached),
            ["SwapCached"] = Kb(k.NrSwapCache),
            ["Active"] = Kb(activeAnon + activeFile),
            ["Inactive"] = Kb(inactiveAnon + inactiveFile),
            ["Active(anon)"] = Kb(activeAnon),
            ["Inactive(anon)"] = Kb(inactiveAnon),
            ["Active(file)"] = Kb(activeFile),
            ["Inactive(file)"] = Kb(inactiveFile),
            ["Unevictable"] = Kb(lru.Size(LruList.Unevictable)),
            ["Mlocked"] = Kb(mlocked + CountMlocked(k)),
            ["SwapTotal"] = Kb(k.TotalSwapPages),
            ["SwapFree"] = Kb(k.Swap.FreeSlots),
            ["Dirty"] = Kb(k.NrFileDirty),
            ["Writeback"] = Kb(k.NrWriteback),
            ["AnonPages"] = Kb(k.NrAnonMapped),
            ["Mapped"] = Kb(k.NrFileMapped),
            ["Shmem"] = Kb(k.NrShmem),
            ["KReclaimable"] = Kb(k.NrSlabReclaimable), // + NR_KERNEL_MISC_RECLAIMABLE, none in the model
            ["Slab"] = Kb(k.NrSlabReclaimable + k.NrSlabUnreclaimable),
            ["SReclaimable"] = Kb(k.NrSlabReclaimable),
            ["SUnreclaim"] = Kb(k.NrSlabUnreclaimable),
            ["KernelStack"] = k.NrKernelStackKb,
            ["PageTables"] = Kb(k.NrPageTable),
            ["NFS_Unstable"] = 0,
            ["Bounce"] = 0,
            ["WritebackTmp"] = 0,
            ["CommitLimit"] = Kb(commitLimit),
            ["Committed_AS"] = Kb(k.CommittedAs),
            ["VmallocTotal"] = 34359738367,
            ["VmallocUsed"] = Kb(k.NrVmalloc),
            ["VmallocChunk"] = 0,
            ["Percpu"] = Kb(k.NrPercpu),
            ["AnonHugePages"] = 0,
            ["HugePages_Total"] = 0,
            ["Hugepagesize"] = 2048,
        };
    }

    private static long CountMlocked(Kernel k)
    {
        // NR_MLOCK: pages with PG_mlocked; they all sit on the unevictable list in this model.
        long n = 0;
        for (int p = k.Lru.Head(LruList.Unevictable); p >= 0; p = k.Lru.Older(p))
            if ((k.Frames[p].Flags & (uint)Physical.FrameFlags.Mlocked) != 0) n++;
        return n;
    }

    /// <summary>si_mem_available (mm/show_mem.c): free above the reserves, plus the page cache and reclaimable
    /// slab that could be dropped without pushing below the low watermarks.</summary>
    public static long MemAvailablePages(Kernel k)
    {
        long wmarkLow = 0;
        foreach (var z in k.Phys.Zones) wmarkLow += z.WatermarkLow;
        long available = k.Phys.NrFreePages - k.Phys.TotalReservePages;
        long pagecache = k.Lru.Size(LruList.ActiveFile) + k.Lru.Size(LruList.InactiveFile);
        pagecache -= Math.Min(pagecache / 2, wmarkLow);
        available += pagecache;
        long reclaimable = k.NrSlabReclaimable; // SReclaimable + NR_KERNEL_MISC_RECLAIMABLE (none in the model)
        available += reclaimable - Math.Min(reclaimable / 2, wmarkLow);
        return Math.Max(0, available);
    }
}
