using MmSim.Machine;
using MmSim.Paging;
using MmSim.Reports;

namespace MmSim.Tests.Swap;

public class SwapTests
{
    private const string TwoHolders = """
        machine: { memory: 512MiB, swap: SWAP }
        processes:
          - name: hold
            steps:
              - alloc: { name: h, size: 250MiB }
              - touch: { region: h, write: true }
              - sleep: 1s
          - name: hold2
            start_at: 10ms
            steps:
              - alloc: { name: h, size: 250MiB }
              - touch: { region: h, write: true }
              - sleep: 1s
        """;

    [Fact]
    public void Without_swap_the_first_holder_is_killed_and_the_second_survives()
    {
        var r = Sim.Report(TwoHolders.Replace("SWAP", "0"));
        Assert.Equal("killed", r.Proc("hold").State);
        Assert.Equal("SIGKILL", r.Proc("hold").Signal);
        Assert.Equal("running", r.Proc("hold2").State);
        Assert.Equal(256000, r.Proc("hold2").VmRSS);
        Assert.Equal(1, r.Vmstat["oom_kill"]);
        var line = Assert.Single(r.Events, e => e.Type == EventTypes.OomKill).Message;
        Assert.StartsWith("Out of memory: Killed process 1000 (hold) total-vm:256000kB, anon-rss:", line);
        Assert.EndsWith(", file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:496kB oom_score_adj:0", line);
        Assert.Contains(r.Events, e => e.Message.StartsWith("hold invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0"));
        Assert.Equal(0, r.Vmstat["pswpout"]);
    }

    [Fact]
    public void With_swap_both_survive_and_pages_go_to_swap()
    {
        var r = Sim.Report(TwoHolders.Replace("SWAP", "1GiB"));
        Assert.Equal("running", r.Proc("hold").State);
        Assert.Equal("running", r.Proc("hold2").State);
        Assert.Equal(0, r.Vmstat["oom_kill"]);
        Assert.True(r.Vmstat["pswpout"] > 0);
        Assert.Equal(1048572, r.Meminfo["SwapTotal"]); // 1 GiB less the header page
        long swapped = r.Proc("hold").VmSwap + r.Proc("hold2").VmSwap;
        Assert.Equal(r.Meminfo["SwapTotal"] - r.Meminfo["SwapFree"], swapped);
        Assert.Equal(r.Vmstat["pswpout"] * 4, swapped); // nothing read back yet: every page written is still out
        Assert.Equal(256000, r.Proc("hold").VmRSS + r.Proc("hold").VmSwap);
        Assert.True(r.Vmstat["pgscan_kswapd"] > 0);
    }

    [Fact]
    public void A_page_written_swapped_out_and_read_back_holds_what_was_written()
    {
        var m = Sim.Run("""
            machine: { memory: 256MiB, swap: 512MiB }
            processes:
              - name: p
                steps:
                  - alloc: { name: a, size: 64MiB }
                  - touch: { region: a, write: true }
                  - alloc: { name: b, size: 200MiB }
                  - touch: { region: b, write: true }
                  - touch: { region: a }
            """);
        var r = RunReport.Build(m);
        Assert.True(r.Vmstat["pswpin"] > 0, "some of region a came back from swap");
        Assert.True(r.Proc("p").MajFlt > 0);
        // Each write stored the task's write sequence number: page i of 'a' was written i+1-th.
        var t = m.Tasks[0];
        var a = t.Mm.FindByName("a")!;
        int checkedPages = 0;
        for (int i = 0; i < 16384; i++)
        {
            ulong addr = a.Start + (ulong)i * 4096;
            int table = m.PageTables.Walk(t.Mm, addr, out int slot);
            Assert.True(table >= 0);
            ulong pte = m.Kernel.Tables[table][slot];
            int content = Pte.IsSwap(pte) ? m.Kernel.Swap.Read((int)Pte.Pfn(pte)) : m.Kernel.Frames[Pte.Pfn(pte)].Content;
            Assert.Equal(i + 1, content);
            checkedPages++;
        }
        Assert.Equal(16384, checkedPages);
    }

    [Fact]
    public void Swap_cluster_readahead_reads_eight_slots_and_counts_hits()
    {
        var r = Sim.Report("""
            machine: { memory: 256MiB, swap: 512MiB }
            vm: { page_cluster: 3 }
            processes:
              - name: p
                steps:
                  - alloc: { name: a, size: 64MiB }
                  - touch: { region: a, write: true }
                  - alloc: { name: b, size: 200MiB }
                  - touch: { region: b, write: true }
                  - touch: { region: a }
            """);
        var v = r.Vmstat;
        // Every major fault read a cluster; the readahead pages then served later faults as swap-cache hits.
        Assert.True(v["swap_ra"] > 0);
        Assert.True(v["swap_ra_hit"] > 0);
        Assert.Equal(v["pswpin"], v["pgmajfault"] + v["swap_ra"]);
    }
}
