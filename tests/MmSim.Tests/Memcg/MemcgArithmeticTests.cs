using MmSim.Memcg;
using MmSim.Memcg.Psi;
using MmSim.Workloads;

namespace MmSim.Tests.Memcg;

/// <summary>The cgroup arithmetic against the kernel's own numbers.</summary>
public class MemcgArithmeticTests
{
    private const long G = 1L << 30 >> 12; // 1 GiB in 4 KiB pages

    /// <summary>
    /// Documentation/admin-guide/cgroup-v2.rst, memory.low: "A/B memory.min=..., A memory.low = 2G, current = 6G;
    /// B, C, D, E memory.low = 3G, 1G, 0, 10G; B, C, D current = 2G each, E 0" gives "A/B memory.current = 1.33G,
    /// A/C = 0.66G, A/D = 0, A/E = 0" under pressure: the effective protection of each child, A's 2G shared in
    /// proportion to the protection the children claim (min(usage, low): 2G and 1G).
    /// </summary>
    [Fact]
    public void Effective_low_is_shared_among_siblings_as_cgroup_v2_rst_documents()
    {
        var root = new PageCounter(null);
        var a = new PageCounter(root) { Low = 2 * G };
        var b = new PageCounter(a) { Low = 3 * G };
        var c = new PageCounter(a) { Low = 1 * G };
        var d = new PageCounter(a) { Low = 0 };
        var e = new PageCounter(a) { Low = 10 * G };
        Assert.True(b.TryCharge(2 * G, out _));
        Assert.True(c.TryCharge(2 * G, out _));
        Assert.True(d.TryCharge(2 * G, out _));
        Assert.Equal(3 * G, a.ChildrenLowUsage); // min(2G,3G) + min(2G,1G) + 0 + 0
        foreach (var x in new[] { a, b, c, d, e }) PageCounter.CalculateProtection(root, x, recursive: false);
        Assert.Equal(2 * G, a.Elow);
        Assert.Equal(349525, b.Elow); // 2G × 2G / 3G = 1.33G, truncated: 524288 × 524288 / 786432
        Assert.Equal(174762, c.Elow); // 1G × 2G / 3G = 0.66G
        Assert.Equal(0, d.Elow);
        Assert.Equal(0, e.Elow);      // no usage: left as it was
    }

    [Fact]
    public void Recursive_protection_gives_unclaimed_protection_to_unprotected_usage()
    {
        // memory_recursiveprot: parent effective 4G, siblings claim 1G, child usage 3G of which 1G is its own
        // protection: ep = 1G + (4G − 1G) × (3G − 1G) / (parent usage 5G − 1G) = 1G + 1.5G.
        long ep = PageCounter.EffectiveProtection(3 * G, 5 * G, 1 * G, 4 * G, 1 * G, recursive: true);
        Assert.Equal(G + 3 * G * 2 * G / (4 * G), ep);
        Assert.Equal(1 * G, PageCounter.EffectiveProtection(3 * G, 5 * G, 1 * G, 4 * G, 1 * G, recursive: false));
    }

    [Fact]
    public void Page_counter_charges_up_to_max_exactly_and_fails_at_the_limited_ancestor()
    {
        var root = new PageCounter(null);
        var parent = new PageCounter(root) { Max = 10 };
        var child = new PageCounter(parent);
        Assert.True(child.TryCharge(10, out _)); // usage may reach max exactly
        Assert.False(child.TryCharge(1, out var fail));
        Assert.Same(parent, fail);
        Assert.Equal(10, child.Usage);          // the partial charge was undone
        Assert.Equal(1, parent.Failcnt);
        Assert.Equal(10, parent.Watermark);
    }

    /// <summary>The worked example in mm/memcontrol.c's comment above calculate_high_delay (HZ=1000, 64 pages):
    /// memory.high 100M; 101M → 6 ms (forgiven: ≤ HZ/100), 102M → 25 ms, 105M → 159 ms, 110M → 639 ms,
    /// 118M and more → capped at 2000 ms.</summary>
    [Theory]
    [InlineData(101, 6)]
    [InlineData(102, 25)]
    [InlineData(105, 159)]
    [InlineData(110, 639)]
    public void High_delay_matches_the_kernel_comment(int usageMb, long jiffies)
    {
        ulong high = 100UL * 256, usage = (ulong)usageMb * 256; // pages of 4 KiB
        Assert.Equal((ulong)jiffies, HighDelay.Delay(HighDelay.Overage(usage, high), 64, 1000));
    }

    [Fact]
    public void High_delay_is_capped_at_two_seconds_and_zero_at_or_under_high()
    {
        ulong high = 100UL * 256;
        Assert.True(HighDelay.Delay(HighDelay.Overage(118UL * 256, high), 64, 1000) >= 2000);
        Assert.Equal(2000, HighDelay.MaxDelayJiffies(1000));
        Assert.Equal(0UL, HighDelay.Overage(high, high));
        Assert.Equal(0UL, HighDelay.Delay(0, 64, 1000));
        // overage = ((usage − high) << 20) / high
        Assert.Equal((2UL * 256 << 20) / (100 * 256), HighDelay.Overage(102UL * 256, high));
    }

    /// <summary>pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust.</summary>
    [Theory]
    [InlineData(1L << 30, 8L << 30, 875)]        // 1000 − 1000 × 1/8
    [InlineData(3L << 30, 8L << 30, 625)]
    [InlineData(8L << 30, 8L << 30, 3)]          // 0 → clamped to 1000 + (−997)
    [InlineData(1L, 8L << 30, 999)]              // 1000 → 999: Burstable stays below BestEffort
    [InlineData(100L << 20, 1000L << 20, 900)]
    [InlineData(333L << 20, 1000L << 20, 667)]   // 1000 − 333 (truncated)
    public void Burstable_oom_score_adj_is_the_kubelet_formula(long request, long capacity, int expected) =>
        Assert.Equal(expected, Kubelet.OomScoreAdj(QosClass.Burstable, request, capacity));

    [Fact]
    public void Guaranteed_and_best_effort_oom_score_adj()
    {
        Assert.Equal(-997, Kubelet.OomScoreAdj(QosClass.Guaranteed, 1L << 30, 8L << 30));
        Assert.Equal(1000, Kubelet.OomScoreAdj(QosClass.BestEffort, 0, 8L << 30));
    }

    [Fact]
    public void Qos_class_follows_requests_and_limits()
    {
        ContainerSpec C(long? mr, long? ml, long? cr, long? cl) => new() { MemoryRequest = mr, MemoryLimit = ml, CpuRequest = cr, CpuLimit = cl };
        Assert.Equal(QosClass.Guaranteed, Kubelet.QosOf(new PodSpec { Containers = [C(1, 1, 500, 500)] }));
        Assert.Equal(QosClass.Burstable, Kubelet.QosOf(new PodSpec { Containers = [C(1, 1, null, null)] })); // no cpu limit
        Assert.Equal(QosClass.Burstable, Kubelet.QosOf(new PodSpec { Containers = [C(1, 2, 500, 500)] }));
        Assert.Equal(QosClass.BestEffort, Kubelet.QosOf(new PodSpec { Containers = [C(null, null, null, null)] }));
        Assert.Equal(QosClass.Burstable, Kubelet.QosOf(new PodSpec { Containers = [C(1, 1, 500, 500), C(null, null, null, null)] }));
    }
}

/// <summary>kernel/sched/psi.c's fixed-point averages.</summary>
public class PsiArithmeticTests
{
    [Fact]
    public void One_fully_stalled_period_gives_avg10_18_11()
    {
        var avg = new ulong[3];
        PsiAverages.CalcAvgs(avg, 0, 2_000_000_000, 2_000_000_000);
        // calc_load(0, 1677, 100 << 11) = (204800 × 371 + 2047) / 2048 = 37100
        Assert.Equal(37100UL, avg[0]);
        Assert.Equal("18.11", PsiAverages.Format(avg[0]));
        Assert.Equal("3.27", PsiAverages.Format(avg[1]));   // (204800 × 67 + 2047) / 2048 = 6700
        Assert.Equal("0.68", PsiAverages.Format(avg[2]));   // (204800 × 14 + 2047) / 2048 = 1400
    }

    [Fact]
    public void A_stall_under_one_percent_of_the_period_adds_nothing()
    {
        var avg = new ulong[3];
        PsiAverages.CalcAvgs(avg, 0, 18_000_000, 2_000_000_000); // 0.9 % → pct 0
        Assert.Equal(new ulong[3], avg);
    }

    [Fact]
    public void Fixed_power_and_calc_load_round_as_the_kernel()
    {
        Assert.Equal(2048UL, PsiAverages.FixedPowerInt(1677, 11, 0));
        Assert.Equal(1677UL, PsiAverages.FixedPowerInt(1677, 11, 1));
        Assert.Equal((1677UL * 1677 + 1024) >> 11, PsiAverages.FixedPowerInt(1677, 11, 2));
        Assert.Equal(0UL, PsiAverages.CalcLoad(0, 1677, 0));
        Assert.Equal((1000UL * 1677 + 0) / 2048, PsiAverages.CalcLoad(1000, 1677, 0));
    }
}
