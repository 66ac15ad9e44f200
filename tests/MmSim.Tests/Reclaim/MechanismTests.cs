using MmSim.Machine;
using MmSim.Reclaim;
using MmSim.Reports;

namespace MmSim.Tests.Reclaim;

public class MechanismTests
{
    [Fact]
    public void Fork_shares_pages_copy_on_write_and_counts_them_in_both()
    {
        var m = Sim.Run("""
            processes:
              - name: parent
                steps:
                  - alloc: { name: h, size: 4MiB }
                  - touch: { region: h, write: true }
                  - fork:
                      name: child
                      steps:
                        - touch: { region: h, offset: 0, length: 1MiB, write: true }
                  - sleep: 10ms
            """);
        var r = RunReport.Build(m);
        var parent = r.Proc("parent");
        var child = r.Proc("child");
        Assert.Equal(1001, child.Pid);
        Assert.Equal(4096, parent.VmRSS);
        Assert.Equal(4096, child.VmRSS);       // shared pages count in both
        Assert.Equal(256, child.MinFlt);       // 1 MiB written: 256 copy-on-write faults
        Assert.Equal(1024 + 256, r.Meminfo["AnonPages"] / 4); // 1024 shared + 256 copies
        Assert.Equal(4096, parent.VmSize);
        Assert.Equal(4096, child.VmSize);
    }

    [Fact]
    public void After_fork_a_write_in_the_parent_copies_too_and_the_last_sharer_reuses()
    {
        var m = Sim.Run("""
            processes:
              - name: parent
                steps:
                  - alloc: { name: h, size: 64KiB }
                  - touch: { region: h, write: true }
                  - fork: { name: child }
                  - touch: { region: h, write: true }
                  - touch: { region: h, write: true }
            """);
        var p = RunReport.Build(m).Proc("parent");
        Assert.Equal(16 + 16, p.MinFlt);            // 16 first touches, 16 COW copies, then no faults
        Assert.Equal(32, m.Kernel.Events[VmEvent.pgfault]); // the child made none
    }

    [Fact]
    public void Mlocked_pages_are_unevictable()
    {
        var r = Sim.Report("""
            processes:
              - name: p
                steps:
                  - alloc: { name: h, size: 8MiB }
                  - mlock: { region: h }
            """);
        Assert.Equal(8192, r.Meminfo["Unevictable"]);
        Assert.Equal(8192, r.Meminfo["Mlocked"]);
        Assert.Equal(8192, r.Proc("p").VmLck);
        Assert.Equal(2048, r.Proc("p").MinFlt);     // mlock populates: one write fault per page
        Assert.Equal(2048, r.Vmstat["unevictable_pgs_mlocked"]);
    }

    [Fact]
    public void Refaulting_file_pages_are_detected_by_their_shadow_entries()
    {
        var r = Sim.Report("""
            machine: { memory: 256MiB }
            files:
              - { path: /f, size: 120MiB }
            processes:
              - name: reader
                steps:
                  - repeat: { times: 3, steps: [ { read_file: { path: /f, offset: 0, size: 120MiB } } ] }
              - name: hog
                start_at: 10s
                steps:
                  - alloc: { name: h, size: 100MiB }
                  - touch: { region: h, write: true }
              - name: again
                start_at: 20s
                steps:
                  - read_file: { path: /f, offset: 0, size: 120MiB }
            """);
        Assert.True(r.Vmstat["pgsteal_file"] > 0);
        Assert.True(r.Vmstat["workingset_refault_file"] > 0);
        Assert.True(r.Vmstat["workingset_refault_file"] <= r.Vmstat["pgsteal_file"]);
    }

    [Fact]
    public void Inactive_is_low_uses_the_square_root_ratio()
    {
        // inactive_is_low: gb = (inactive + active) in GiB; ratio = int_sqrt(10 × gb), 1 below 1 GiB.
        Assert.Equal(1UL, MmSim.Physical.Watermarks.IntSqrt(1));
        Assert.Equal(3UL, MmSim.Physical.Watermarks.IntSqrt(10));
        Assert.Equal(10UL, MmSim.Physical.Watermarks.IntSqrt(100));
        Assert.Equal(31UL, MmSim.Physical.Watermarks.IntSqrt(1000));
    }

    [Fact]
    public void Lru_note_cost_halves_both_costs_past_a_quarter_of_the_lists()
    {
        var m = Sim.Run("""
            processes:
              - name: p
                steps:
                  - alloc: { name: h, size: 4MiB }
                  - touch: { region: h, write: true }
            """);
        var k = m.Kernel;
        CostModel.NoteCost(k, file: false, nrIo: 10, nrRotated: 5);  // 10 × 32 + 5 = 325 ≤ 1024 / 4? no: 325 > 256
        Assert.Equal(162, k.AnonCost);
        Assert.Equal(0, k.FileCost);
    }
}
