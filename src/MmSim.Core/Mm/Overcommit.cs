using MmSim.Machine;

namespace MmSim.Mm;

/// <summary>
/// __vm_enough_memory (mm/util.c) and vm_commit_limit: whether a new private writable mapping may be charged to
/// Committed_AS under vm.overcommit_memory 0 (heuristic), 1 (always) or 2 (never overcommit). The simulated
/// processes run as root (UID 0, CAP_SYS_ADMIN), so admin_reserve_kbytes is not deducted.
/// </summary>
public sealed class Overcommit
{
    private readonly Kernel _k;

    public Overcommit(Kernel kernel) => _k = kernel;

    /// <summary>vm_commit_limit: overcommit_kbytes, else (totalram − hugetlb) × overcommit_ratio / 100; + swap.</summary>
    public long CommitLimitPages()
    {
        long allowed = _k.Vm.OvercommitKbytes != 0
            ? _k.Vm.OvercommitKbytes / (_k.PageSize / 1024)
            : _k.Phys.TotalRamPages * _k.Vm.OvercommitRatio / 100;
        return allowed + _k.TotalSwapPages;
    }

    /// <summary>user_reserve_kbytes at boot: min(free / 32, 128 MiB) (init_user_reserve), in pages.</summary>
    public long UserReservePages => Math.Min(_k.Phys.NrFreePages / 32, (128L << 20) / _k.PageSize);

    /// <summary>Charges <paramref name="pages"/>; false (and nothing charged) when the policy refuses.</summary>
    public bool VmEnoughMemory(MmStruct mm, long pages)
    {
        _k.CommittedAs += pages;
        switch (_k.Vm.OvercommitMemory)
        {
            case 1:
                return true;
            case 0:
                if (pages <= _k.Phys.TotalRamPages + _k.TotalSwapPages) return true;
                break;
            default:
                long allowed = CommitLimitPages();
                allowed -= Math.Min(mm.TotalVm / 32, UserReservePages);
                if (_k.CommittedAs < allowed) return true;
                break;
        }
        _k.CommittedAs -= pages;
        return false;
    }

    public void Unaccount(long pages) => _k.CommittedAs -= pages;
}
