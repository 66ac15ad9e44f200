using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Machine;

public class MachineTests
{
    [Theory]
    [MemberData(nameof(Builtins))]
    public void Every_builtin_scenario_runs_and_keeps_the_invariants(string name)
    {
        var m = new SimMachine(BuiltinScenarios.Load(name));
        m.Run();
        m.CheckInvariants();
        Assert.All(m.Tasks, t => Assert.True(t.IsDone));
    }

    /// <summary>The built-ins of the paging machine (the segmented ones run on SegMachine: Segmentation/SegmentBuiltinTests).</summary>
    public static IEnumerable<object[]> Builtins() => BuiltinScenarios.Names
        .Where(n => !BuiltinScenarios.Load(n).Machine.IsSegmented).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Builtins))]
    public void The_same_scenario_and_seed_give_byte_identical_reports(string name)
    {
        string Once()
        {
            var m = new SimMachine(BuiltinScenarios.Load(name), new MachineOptions { SampleIntervalNs = 1_000_000 });
            m.Run();
            return RunReport.Build(m).ToJson() + string.Join("\n", m.Timeline.Select(s => s.ToCsv()));
        }
        Assert.Equal(Once(), Once());
    }

    [Fact]
    public void Lazy_allocation_builtin_gives_the_real_kernels_fault_counts()
    {
        var m = new SimMachine(BuiltinScenarios.Load("lazy-allocation"));
        m.Run();
        var r = RunReport.Build(m);
        Assert.Equal(16384, r.Proc("lazy").MinFlt);
        Assert.Equal(32768, r.Proc("readwrite").MinFlt);
    }

    [Fact]
    public void Round_robin_interleaves_processes_in_time_slices()
    {
        var m = Sim.Run("""
            machine: { memory: 1GiB, time_slice: 1ms }
            processes:
              - name: a
                steps:
                  - alloc: { name: h, size: 32MiB }
                  - touch: { region: h, write: true }
              - name: b
                steps:
                  - alloc: { name: h, size: 32MiB }
                  - touch: { region: h, write: true }
            """);
        var a = m.Tasks[0];
        var b = m.Tasks[1];
        // Each needs 8192 faults of about 1.4 us: neither finishes in one 1 ms slice, so they alternate and end
        // close together, with a context switch (and a TLB flush) at every slice.
        Assert.True(m.ContextSwitches > 10);
        Assert.True(Math.Abs(a.EndNs - b.EndNs) <= 1_000_000 + 10_000);
        Assert.Equal(a.CpuNs, b.CpuNs);
    }

    [Fact]
    public void Major_fault_blocks_the_process_for_the_disk_latency()
    {
        var m = Sim.Run("""
            machine: { memory: 1GiB, latency: { major_fault: 5ms } }
            vm: { fault_around_bytes: 4096, read_ahead_kb: 0 }
            files:
              - { path: /f, size: 4KiB }
            processes:
              - name: p
                steps:
                  - map_file: { name: f, path: /f }
                  - touch: { region: f }
            """);
        var t = m.Tasks[0];
        Assert.Equal(5_000_000, t.IoWaitNs);
        Assert.True(t.EndNs >= 5_000_000);
        Assert.True(t.CpuNs < 100_000);
    }

    [Fact]
    public void Overcommit_never_refuses_a_mapping_beyond_CommitLimit()
    {
        var r = Sim.Report("""
            machine: { memory: 512MiB }
            vm: { overcommit_memory: 2, overcommit_ratio: 50 }
            processes:
              - name: big
                steps:
                  - alloc: { name: ok, size: 64MiB }
                  - alloc: { name: toobig, size: 300MiB }
                  - sleep: 1ms
            """);
        // CommitLimit = MemTotal × 50% = 468404/2 kB; 64 MiB fits, 300 MiB more does not.
        Assert.Equal(468404 / 2 / 4 * 4, r.Meminfo["CommitLimit"]);
        Assert.Equal(65536, r.Proc("big").VmSize);
        Assert.Contains(r.Events, e => e.Type == EventTypes.Enomem && e.Message.Contains("toobig"));
        Assert.Equal("running", r.Proc("big").State);
    }

    [Fact]
    public void Heuristic_overcommit_refuses_only_a_single_mapping_larger_than_RAM_plus_swap()
    {
        var r = Sim.Report("""
            machine: { memory: 512MiB }
            processes:
              - name: p
                steps:
                  - alloc: { name: a, size: 400MiB }
                  - alloc: { name: b, size: 400MiB }
                  - alloc: { name: c, size: 600MiB }
                  - sleep: 1ms
            """);
        Assert.Equal(800 * 1024, r.Proc("p").VmSize);
        Assert.Equal(800 * 1024, r.Meminfo["Committed_AS"]);
        Assert.Single(r.Events, e => e.Type == EventTypes.Enomem);
    }

    [Fact]
    public void A_page_written_holds_what_was_written_after_copy_on_write()
    {
        var m = Sim.Run("""
            files:
              - { path: /d, size: 8KiB }
            processes:
              - name: p
                steps:
                  - map_file: { name: f, path: /d, prot: rw }
                  - touch: { region: f }
                  - sleep: 1ms
            """);
        var file = m.Kernel.Files[0];
        Assert.Equal(MmSim.PageCache.Filemap.FileContent(file, 1), m.Kernel.Frames[file.CachePfn[1]].Content);
    }
}
