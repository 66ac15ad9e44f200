using MmSim.Host;

namespace MmSim.Tests.Host;

public class HostFixtureTests
{
    public static string FixtureRoot => Path.Combine(AppContext.BaseDirectory, "Host", "fixtures", "proc");

    // meminfo: MemTotal 8029228 kB + SwapTotal 2097148 kB = 10126376 kB = 2531594 pages; totalpages/1000 = 2531.
    private const long T = 2531594;

    private static HostOomSnapshot Read() => new HostProcReader(FixtureRoot, pageSize: 4096).Read();

    [Fact]
    public void Totalpages_is_memtotal_plus_swaptotal_in_pages()
    {
        var s = Read();
        Assert.Equal(T, s.TotalPages);
        Assert.Equal(8029228, s.Meminfo.MemTotalKb);
        Assert.Equal(2097148, s.Meminfo.SwapTotalKb);
    }

    [Fact]
    public void Processes_come_in_victim_order_with_exact_scores()
    {
        // pid: badness = rss + swap + pgtables/4096 + adj*2531  → oom_score = (1000 + b*1000/T)*2/3
        var expected = new (int Pid, long Badness, long Score)[]
        {
            (1450, 768 + 12 + 1000 * 2531, 1333),               // oomtarget, adj 1000: 1000.07 → 1000 → 1333
            (1302, 163840 + 512 + 300 * 2531, 909),             // chrome, adj 300: 364.85 → 364 → 909
            (1201, 344064 + 32768 + 1024, 766),                 // postgres: rss 344064, swap 32768, pte 1024 pages
            (3100, 56320 + 1024 + 256, 681),                    // java: zombie leader, scored from thread 3107's mm
            (2000, 11264 + 50, 669),                            // worker, started later (pid wrapped) → wins the tie
            (2001, 11264 + 50, 669),                            // worker, identical figures, started earlier
            (412, 4352 + 40 - 250 * 2531, 501),                 // systemd-journal, adj -250: negative badness
        };
        var s = Read();
        var eligible = s.Processes.Where(p => p.Eligible).ToList();
        Assert.Equal(expected.Select(e => e.Pid), eligible.Select(p => p.Pid));
        foreach (var (pid, badness, score) in expected)
        {
            var p = eligible.Single(x => x.Pid == pid);
            Assert.Equal(badness, p.Badness);
            Assert.Equal(score, p.OomScore);
        }
    }

    [Fact]
    public void Init_and_adj_minus_1000_score_0_and_come_last()
    {
        var s = Read();
        var never = s.Processes.Where(p => !p.Eligible).ToList();
        Assert.Equal(new[] { 1, 655 }, never.Select(p => p.Pid));
        Assert.All(never, p => Assert.Equal(0, p.OomScore));
        Assert.Equal("init", never[0].UnkillableReason);
        Assert.Equal("oom_score_adj=-1000", never[1].UnkillableReason);
        Assert.Equal(s.Processes.Count - 2, s.Processes.ToList().FindIndex(p => p.Pid == 1));
    }

    [Fact]
    public void Kernel_threads_are_skipped_and_kernel_scores_are_carried()
    {
        var s = Read();
        Assert.DoesNotContain(s.Processes, p => p.Pid == 2);
        Assert.Equal(9, s.Processes.Count);
        var postgres = s.Processes.Single(p => p.Pid == 1201);
        Assert.Equal(766, postgres.KernelOomScore);
        Assert.Null(s.Processes.Single(p => p.Pid == 1302).KernelOomScore);
        Assert.Equal(70, postgres.Uid);
        Assert.Equal("postgres", postgres.Comm);
    }

    [Fact]
    public void Status_parsing_reads_the_kB_fields()
    {
        var st = ProcStatus.Parse("Name:\tx\nUid:\t1000\t1000\t1000\t1000\nKthread:\t0\nVmSize:\t  100 kB\nVmRSS:\t   12 kB\nRssAnon:\t    4 kB\nRssFile:\t    8 kB\nRssShmem:\t    0 kB\nVmPTE:\t      44 kB\nVmSwap:\t   16 kB\n");
        Assert.True(st.HasMm);
        Assert.Equal((1000, 12L, 16L, 44L), (st.Uid, st.RssKb, st.VmSwapKb, st.VmPteKb));
        Assert.False(ProcStatus.Parse("Name:\tkworker/0:1\nKthread:\t1\n").HasMm);
    }

    [Fact]
    public void Meminfo_without_memtotal_is_an_input_error()
    {
        var ex = Assert.Throws<InputException>(() => HostMeminfo.Parse("SwapTotal: 0 kB\n", "x/meminfo"));
        Assert.Contains("MemTotal", ex.Message);
    }
}
