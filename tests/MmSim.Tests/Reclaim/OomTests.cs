using MmSim.Machine;

namespace MmSim.Tests.Reclaim;

public class OomTests
{
    private static string Three(string adjBig) => $$"""
        machine: { memory: 512MiB }
        processes:
          - name: big
            oom_score_adj: {{adjBig}}
            steps:
              - alloc: { name: h, size: 200MiB }
              - touch: { region: h, write: true }
              - sleep: 1s
          - name: medium
            start_at: 10ms
            steps:
              - alloc: { name: h, size: 150MiB }
              - touch: { region: h, write: true }
              - sleep: 1s
          - name: late
            start_at: 500ms
            steps:
              - alloc: { name: h, size: 150MiB }
              - touch: { region: h, write: true }
              - sleep: 1s
        """;

    [Fact]
    public void The_largest_process_is_the_victim()
    {
        var r = Sim.Report(Three("0"));
        Assert.Equal("killed", r.Proc("big").State);
        Assert.Equal("running", r.Proc("medium").State);
        Assert.Equal("running", r.Proc("late").State);
    }

    [Fact]
    public void Oom_score_adj_minus_1000_protects_a_process()
    {
        var r = Sim.Report(Three("-1000"));
        Assert.Equal("running", r.Proc("big").State);
        Assert.Equal("killed", r.Proc("medium").State);
        Assert.Equal(0, r.Proc("big").OomScore);
    }

    [Fact]
    public void Oom_kill_allocating_task_kills_the_allocator()
    {
        var r = Sim.Report(Three("0").Replace("machine: { memory: 512MiB }", "machine: { memory: 512MiB }\nvm: { oom_kill_allocating_task: 1 }"));
        Assert.Equal("killed", r.Proc("late").State);
        Assert.Contains(r.Events, e => e.Type == EventTypes.OomKill && e.Message.StartsWith("Out of memory (oom_kill_allocating_task): Killed process 1002 (late)"));
    }

    [Fact]
    public void Panic_on_oom_stops_the_machine()
    {
        var r = Sim.Report(Three("0").Replace("machine: { memory: 512MiB }", "machine: { memory: 512MiB }\nvm: { panic_on_oom: 1 }"));
        Assert.Contains(r.Events, e => e.Type == EventTypes.Panic && e.Message == "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled");
        Assert.Equal(0, r.Vmstat["oom_kill"]);
    }

    [Fact]
    public void Oom_score_follows_proc_oom_score()
    {
        var m = Sim.Run("""
            machine: { memory: 512MiB }
            processes:
              - name: p
                steps:
                  - alloc: { name: h, size: 100MiB }
                  - touch: { region: h, write: true }
            """);
        var t = m.Tasks[0];
        long total = m.Kernel.Phys.TotalRamPages;
        long badness = t.Mm.Rss + t.Mm.PgtablesBytes / 4096;
        Assert.Equal(25600 + 53, badness); // 25600 data pages; 51 PTE tables (unaligned 100 MiB), 1 PMD, 1 PUD
        Assert.Equal((1000 + badness * 1000 / total) * 2 / 3, m.Oom.OomScore(t));
    }
}
