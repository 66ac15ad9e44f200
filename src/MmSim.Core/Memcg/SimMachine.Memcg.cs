using MmSim.Memcg;
using MmSim.Reports;

namespace MmSim.Machine;

/// <summary>The machine's memory cgroups (memcg issue): wiring and the pressure figures after a run.</summary>
public sealed partial class SimMachine
{
    private void SetUpMemcg()
    {
        var mc = new MemcgController(Kernel, Scenario) { Vmscan = Vmscan, Oom = Oom };
        Kernel.Memcg = mc;
        Kernel.Lru.Memcg = mc;
        Kernel.Swap.SlotFreed = mc.SlotFreed;
    }

    /// <summary>Sweeps the PSI states and fills the timeline's pressure columns.</summary>
    private void FinishPsi(MemcgController mc)
    {
        mc.Tracker.Finish(_tasks, EndNs);
        for (int i = 0; i < Timeline.Count; i++)
        {
            var s = Timeline[i];
            var (some, full) = mc.SystemPsi.TotalAt(s.TimeNs);
            var (avgS, avgF) = mc.SystemPsi.AveragesAt(s.TimeNs);
            Timeline[i] = s with { Psi = new TimelinePsi(avgS[0], some / 1000, avgF[0], full / 1000) };
        }
    }
}
