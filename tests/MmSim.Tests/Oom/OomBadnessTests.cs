using MmSim.Oom;

namespace MmSim.Tests.Oom;

public class OomBadnessTests
{
    // The reference machine (§13): MemTotal 24684084 kB, no swap → 6171021 pages.
    private const long T = 6171021;

    [Theory]
    [InlineData(-1000, 0)]
    [InlineData(-500, 334)]
    [InlineData(0, 666)]
    [InlineData(500, 999)]
    [InlineData(1000, 1332)]
    public void A_tiny_process_scores_as_in_the_reference(int adj, long expected)
    {
        // 10 pages of RSS: badness*1000/T truncates to 0 for adj 0, so only the adj term counts.
        long b = OomBadness.Badness(rssPages: 10, swapEntsPages: 0, pgtablesBytes: 0, adj, T, 4096);
        Assert.Equal(expected, OomBadness.OomScore(b, T));
    }

    [Fact]
    public void Adj_minus_1000_and_unkillable_are_LONG_MIN()
    {
        Assert.Equal(long.MinValue, OomBadness.Badness(1_000_000, 0, 0, -1000, T, 4096));
        Assert.Equal(long.MinValue, OomBadness.Badness(1_000_000, 0, 0, 500, T, 4096, unkillable: true));
        Assert.Equal(0, OomBadness.OomScore(long.MinValue, T));
    }

    [Fact]
    public void Totalpages_is_divided_by_1000_first()
    {
        // totalpages/1000 = 6171: adj 1 adds 6171 pages, not 6171.021.
        Assert.Equal(100 + 6171, OomBadness.Badness(100, 0, 0, 1, T, 4096));
        // Fewer than 1000 pages: totalpages/1000 == 0, so adj changes nothing (except -1000).
        foreach (int adj in new[] { -999, -1, 0, 1, 1000 })
            Assert.Equal(300, OomBadness.Badness(200, 50, 50 * 4096, adj, 999, 4096));
        Assert.Equal(long.MinValue, OomBadness.Badness(200, 50, 0, -1000, 999, 4096));
    }

    [Fact]
    public void Badness_can_be_negative_and_is_not_clamped()
    {
        // 1000 pages with adj -999 on T: 1000 - 999*6171 = -6163829.
        long b = OomBadness.Badness(1000, 0, 0, -999, T, 4096);
        Assert.Equal(-6_163_829, b);
        // -6163829000 / 6171021 = -998.83 → -998 (truncation toward zero); (1000-998)*2/3 = 1.
        Assert.Equal(1, OomBadness.OomScore(b, T));
    }

    [Fact]
    public void Worked_example_grep_from_a_real_kill()
    {
        // "Out of memory: Killed process 49358 (grep) total-vm:9476316kB, anon-rss:6845824kB, file-rss:444kB,
        //  shmem-rss:0kB, UID:1000 pgtables:13460kB oom_score_adj:0", scored as if on the reference machine.
        long rss = (6845824 + 444 + 0) / 4;          // 1711567 pages
        long pgtablesBytes = 13460L * 1024;          // 13783040 bytes = 3365 pages
        long b = OomBadness.Badness(rss, 0, pgtablesBytes, 0, T, 4096);
        Assert.Equal(1711567 + 3365, b);
        // 1714932000 / 6171021 = 277.9 → 277; (1000 + 277) * 2 / 3 = 851.
        Assert.Equal(851, OomBadness.OomScore(b, T));
        // With adj 300: + 300 * 6171 = 3566232 pages; 577.9 → 577; 1577*2/3 = 1051.
        Assert.Equal(1051, OomBadness.OomScore(rss, 0, pgtablesBytes, 300, T, 4096));
    }

    [Fact]
    public void Pgtables_bytes_are_divided_by_the_page_size()
    {
        Assert.Equal(2, OomBadness.Badness(0, 0, 3 * 4096 - 1, 0, T, 4096));
        Assert.Equal(1, OomBadness.Badness(0, 0, 65536, 0, T, 65536));
    }

    [Fact]
    public void Killed_line_is_the_kernel_format()
    {
        Assert.Equal(
            "Out of memory: Killed process 1234 (hold) total-vm:256984kB, anon-rss:256020kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:548kB oom_score_adj:0",
            OomBadness.KilledLine(OomBadness.GlobalPrefix, 1234, "hold", 256984, 256020, 0, 0, 0, 548, 0));
        Assert.Equal(
            "Memory cgroup out of memory: Killed process 49358 (grep) total-vm:9476316kB, anon-rss:6845824kB, file-rss:444kB, shmem-rss:0kB, UID:1000 pgtables:13460kB oom_score_adj:-17",
            OomBadness.KilledLine(OomBadness.MemcgPrefix, 49358, "grep", 9476316, 6845824, 444, 0, 1000, 13460, -17));
    }

    [Fact]
    public void Invoked_line_prints_the_mask_with_0x_even_for_zero()
    {
        Assert.Equal("grep invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0",
            OomBadness.InvokedLine("grep", 0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", 0, 0));
        Assert.Equal("kworker/1:2 invoked oom-killer: gfp_mask=0x0(), order=-1, oom_score_adj=-1000",
            OomBadness.InvokedLine("kworker/1:2", 0, "", -1, -1000));
    }

    [Fact]
    public void Dump_tasks_rows_line_up_with_the_header()
    {
        Assert.Equal("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name", OomBadness.DumpTasksHeader);
        Assert.Equal("[    266]     0   266     7206       50    69632      256          -250 systemd-journal",
            OomBadness.DumpTaskRow(266, 0, 266, 7206, 50, 69632, 256, -250, "systemd-journal"));
        // Real 6.x+ line with the RSS split (from a published dmesg).
        Assert.Equal("[    171]     0   171   775610   418124   417661        0       463  3416064        0             0 sh",
            OomBadness.DumpTaskRowRssSplit(171, 0, 171, 775610, 418124, 417661, 0, 463, 3416064, 0, 0, "sh"));
    }

    [Fact]
    public void Summary_line_global_and_memcg()
    {
        Assert.Equal("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,global_oom,task_memcg=/,task=sh,pid=171,uid=0",
            OomBadness.OomKillSummaryLine(OomConstraint.None, null, "/", "0-1", null, "/", "sh", 171, 0));
        Assert.Equal("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/test,task_memcg=/test/a,task=x,pid=5,uid=1000",
            OomBadness.OomKillSummaryLine(OomConstraint.Memcg, null, "/", "0", "/test", "/test/a", "x", 5, 1000));
        Assert.Equal("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,task=x,pid=5,uid=0",
            OomBadness.OomKillSummaryLine(OomConstraint.MemoryPolicy, "1", null, null, null, null, "x", 5, 0));
    }
}
