using MmSim.Machine;
using MmSim.Reclaim;

namespace MmSim.PageCache;

/// <summary>
/// global_dirty_limits / domain_dirty_limits (mm/page-writeback.c): the dirty thresholds from vm.dirty_ratio and
/// vm.dirty_background_ratio over the dirtyable memory (free − totalreserve + file LRU), with the ratios
/// converted per PAGE_SIZE as the kernel does; a background ratio at or above the foreground one is halved.
/// </summary>
public static class DirtyLimits
{
    public static long DirtyableMemory(Kernel k)
    {
        long free = Math.Max(0, k.Phys.NrFreePages - k.Phys.TotalReservePages);
        long x = free + k.Lru.Size(LruList.ActiveFile) + k.Lru.Size(LruList.InactiveFile);
        return x + 1; // global_dirtyable_memory ensures at least one page
    }

    public static (long Thresh, long Background) Compute(Kernel k)
    {
        long avail = DirtyableMemory(k);
        long pageSize = k.PageSize;
        long ratio = k.Vm.DirtyRatio * pageSize / 100;
        long bgRatio = k.Vm.DirtyBackgroundRatio * pageSize / 100;
        long thresh = ratio * avail / pageSize;
        long bg = bgRatio * avail / pageSize;
        if (bg >= thresh) bg = thresh / 2;
        return (thresh, bg);
    }
}
