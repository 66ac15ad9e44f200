using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Reclaim;

/// <summary>The reclaim built-ins tell their stories (and keep the machine's invariants).</summary>
public class ReclaimScenarioTests
{
    private static RunReport Run(string name, params (string Key, string Value)[] overrides) =>
        RunReport.Build(Sim.RunBuiltin(name, overrides));

    [Fact]
    public void Swap_before_oom_survives_with_swap_and_kills_without()
    {
        var with = Run("swap-before-oom");
        Assert.All(with.Processes, p => Assert.Equal("running", p.State));
        Assert.True(with.Vmstat["pswpout"] > 0);
        Assert.Equal(0, with.Vmstat["oom_kill"]);
        var without = Run("swap-before-oom", ("machine.swap", "0"));
        Assert.Equal("killed", without.Proc("big").State);
        Assert.Equal("running", without.Proc("small").State);
        Assert.Equal(1, without.Vmstat["oom_kill"]);
    }

    [Fact]
    public void Oom_protect_spares_the_process_at_minus_1000()
    {
        var r = Run("oom-protect");
        Assert.Equal("running", r.Proc("db").State);
        Assert.Equal("killed", r.Proc("cache").State);
        var unprotected = Run("oom-protect", ("db.oom_score_adj", "0"));
        Assert.Equal("killed", unprotected.Proc("db").State);
        Assert.Equal("running", unprotected.Proc("cache").State);
    }

    [Fact]
    public void A_slow_allocator_is_fed_by_kswapd_and_a_fast_one_stalls()
    {
        var r = Run("kswapd-vs-direct");
        Assert.Equal(0, r.Proc("slow").DirectReclaims);
        Assert.Equal(0, r.Proc("slow").StallNs);
        Assert.True(r.Proc("fast").DirectReclaims > 0);
        Assert.True(r.Proc("fast").StallNs > 0);
        Assert.True(r.Vmstat["pgscan_kswapd"] > 0);
        // Each direct reclaim is one allocstall: user pages count in allocstall_movable, page tables in _normal.
        Assert.Equal(r.Proc("fast").DirectReclaims, r.Vmstat["allocstall_movable"] + r.Vmstat["allocstall_normal"]);
    }

    [Fact]
    public void Clean_file_pages_are_dropped_and_dirty_ones_written_first()
    {
        var r = Run("clean-vs-dirty");
        Assert.True(r.Vmstat["pgsteal_file"] > 0);
        Assert.Equal(0, r.Vmstat["pgsteal_anon"]);
        Assert.Equal(20480, r.Vmstat["nr_dirtied"]);       // 80 MiB written
        Assert.True(r.Vmstat["nr_written"] > 0);            // the flusher wrote pages back
        Assert.Equal(r.Vmstat["nr_written"] * 4, r.Vmstat["pgpgout"]);
        Assert.Equal("running", r.Proc("hog").State);
    }

    [Fact]
    public void Swappiness_moves_reclaim_from_file_pages_to_swap()
    {
        var low = Run("swappiness", ("vm.swappiness", "0"));
        var high = Run("swappiness", ("vm.swappiness", "200"));
        Assert.Equal(0, low.Vmstat["pswpout"]);
        Assert.True(low.Vmstat["pgsteal_file"] > 0);
        Assert.True(high.Vmstat["pgsteal_anon"] > high.Vmstat["pgsteal_file"]);
        Assert.True(high.Vmstat["pswpout"] > 0);
    }

    [Fact]
    public void Swap_writes_in_flight_when_the_last_process_ends_complete_before_the_report()
    {
        // At swappiness 200 the run ends with thousands of pages still under writeback (before the drain the report
        // showed nr_written 14893 of pswpout 18122 and Writeback 12916 kB); the kernel's /proc, read after the
        // processes exit, shows every write done: nr_written = pswpout, Writeback 0, each write rotated.
        var r = Run("swappiness", ("vm.swappiness", "200"));
        Assert.Equal(18122, r.Vmstat["pswpout"]);
        Assert.Equal(18122, r.Vmstat["nr_written"]);
        Assert.Equal(18122, r.Vmstat["pgrotated"]);
        Assert.Equal(0, r.Meminfo["Writeback"]);
        Assert.Equal(13044, r.Meminfo["SwapCached"]);
    }

    [Fact]
    public void Kswapd_naps_after_balancing_and_counts_what_cuts_the_nap_short()
    {
        // kswapd_try_to_sleep: app's reads and batch's allocation come in bursts; after each balance_pgdat kswapd
        // naps HZ/10 and the next burst wakes it inside the nap (kswapd_low_wmark_hit_quickly), so every pass but
        // the first one is such a wakeup. The real kernel (twin, twin-sized machine): 78 / 77 / 0 vs 61-76 / 59-74 / 0.
        var r = Run("swappiness");
        Assert.Equal(49, r.Vmstat["pageoutrun"]);
        Assert.Equal(48, r.Vmstat["kswapd_low_wmark_hit_quickly"]);
        Assert.Equal(0, r.Vmstat["kswapd_high_wmark_hit_quickly"]);
        // Without swap, the passes before the OOM kill free nothing: each ends unbalanced, kswapd does not nap and
        // counts kswapd_high_wmark_hit_quickly (twin-sized: 16 / 0 / 15 vs 16 / 0 / 14).
        var oom = Run("oom-protect");
        Assert.Equal(9, oom.Vmstat["pageoutrun"]);
        Assert.Equal(0, oom.Vmstat["kswapd_low_wmark_hit_quickly"]);
        Assert.Equal(8, oom.Vmstat["kswapd_high_wmark_hit_quickly"]);
    }

    [Fact]
    public void A_higher_min_free_kbytes_means_fewer_direct_reclaim_stalls()
    {
        var low = Run("min-free-kbytes", ("vm.min_free_kbytes", "2000"));
        var high = Run("min-free-kbytes", ("vm.min_free_kbytes", "8000"));
        Assert.Equal(2000, low.Machine.MinFreeKbytes);
        Assert.True(high.Vmstat["allocstall_movable"] < low.Vmstat["allocstall_movable"]);
        Assert.True(high.Vmstat["pgscan_direct"] < low.Vmstat["pgscan_direct"]);
        Assert.True(high.Vmstat["pgscan_kswapd"] > low.Vmstat["pgscan_kswapd"]);
    }
}
