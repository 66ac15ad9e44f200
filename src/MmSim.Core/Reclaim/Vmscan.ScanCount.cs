using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.Reclaim;

/// <summary>How much of each list to scan: prepare_scan_control, get_scan_count, inactive_is_low.</summary>
public sealed partial class Vmscan
{
    /// <summary>can_reclaim_anon_pages: anonymous pages can only go to swap, so there must be a free slot.</summary>
    private bool CanReclaimAnon(ScanControl sc) => sc.MaySwap && _k.Swap.FreeSlots > 0;

    /// <summary>
    /// inactive_is_low: the inactive list is low when inactive × ratio &lt; active, with
    /// ratio = int_sqrt(10 × size in GiB) (1 below 1 GiB).
    /// </summary>
    public bool InactiveIsLow(LruList inactiveLru)
    {
        var activeLru = inactiveLru + 1;
        long inactive = _k.Lru.Size(inactiveLru);
        long active = _k.Lru.Size(activeLru);
        long gb = (inactive + active) >> (30 - _k.PageShift);
        long ratio = gb > 0 ? (long)Watermarks.IntSqrt((ulong)(10 * gb)) : 1;
        return inactive * ratio < active;
    }

    /// <summary>prepare_scan_control: cost snapshot, whether the active lists may be deactivated, cache trim mode
    /// and file_is_tiny.</summary>
    private void PrepareScanControl(ScanControl sc)
    {
        sc.AnonCost = _k.AnonCost;
        sc.FileCost = _k.FileCost;
        sc.MayDeactivateAnon = sc.ForceDeactivate || _k.Events[VmEvent.workingset_activate_anon] != _refaultsAnonSnapshot
                               || InactiveIsLow(LruList.InactiveAnon);
        sc.MayDeactivateFile = sc.ForceDeactivate || _k.Events[VmEvent.workingset_activate_file] != _refaultsFileSnapshot
                               || InactiveIsLow(LruList.InactiveFile);
        long inactiveFile = _k.Lru.Size(LruList.InactiveFile);
        sc.CacheTrimMode = (inactiveFile >> sc.Priority) != 0 && !sc.MayDeactivateFile;

        long free = _k.Phys.NrFreePages;
        long file = _k.Lru.Size(LruList.ActiveFile) + inactiveFile;
        long totalHigh = 0;
        foreach (var z in _k.Phys.Zones) totalHigh += z.WatermarkHigh;
        long anon = _k.Lru.Size(LruList.InactiveAnon);
        sc.FileIsTiny = file + free <= totalHigh && !sc.MayDeactivateAnon && (anon >> sc.Priority) != 0;
    }

    private enum ScanBalance { Equal, Fract, Anon, File }

    /// <summary>
    /// get_scan_count (mm/vmscan.c): how many pages of each evictable list to scan at this priority — only file
    /// pages when anon cannot be reclaimed; everything at priority 0; anon when the file cache is tiny; file in
    /// cache trim mode; otherwise in proportion to swappiness and the recent cost of each type.
    /// </summary>
    private void GetScanCount(ScanControl sc, Span<long> nr)
    {
        int swappiness = _k.Vm.Swappiness;
        ScanBalance balance;
        long ap = 0, fp = 0;
        if (!CanReclaimAnon(sc)) balance = ScanBalance.File;
        else if (sc.Priority == 0 && swappiness != 0) balance = ScanBalance.Equal;
        else if (sc.FileIsTiny) balance = ScanBalance.Anon;
        else if (sc.CacheTrimMode) balance = ScanBalance.File;
        else
        {
            balance = ScanBalance.Fract;
            long total = sc.AnonCost + sc.FileCost;
            long anonCost = total + sc.AnonCost;
            long fileCost = total + sc.FileCost;
            total = anonCost + fileCost;
            ap = swappiness * (total + 1) / (anonCost + 1);
            fp = (200 - swappiness) * (total + 1) / (fileCost + 1);
        }
        long denominator = ap + fp;
        for (int l = 0; l < 4; l++)
        {
            var lru = (LruList)l;
            bool file = LruLists.IsFileList(lru);
            long size = LruSizeFor(sc, lru); // memcg issue: the target cgroup's lists
            long scan = size >> sc.Priority;
            switch (balance)
            {
                case ScanBalance.Equal:
                    break;
                case ScanBalance.Fract:
                    scan = denominator == 0 ? 0 : scan * (file ? fp : ap) / denominator;
                    break;
                case ScanBalance.File:
                    if (!file) scan = 0;
                    break;
                case ScanBalance.Anon:
                    if (file) scan = 0;
                    break;
            }
            nr[l] = scan;
        }
    }
}
