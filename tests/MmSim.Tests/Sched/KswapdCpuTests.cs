using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Sched;

/// <summary>
/// kswapd on the machine's CPUs (<c>machine.kswapd_cpu: shared</c>; the default is <c>own</c>, beside the tasks): as
/// the kernel's kthread under CFS it needs a CPU to reclaim, so on a one-CPU machine the allocating task waits while
/// kswapd runs and kswapd waits while the task has its slice; with an idle CPU nothing changes against kswapd beside
/// the tasks. And a process's time adds up.
/// </summary>
public class KswapdCpuTests
{
    private static (RunReport Report, SimMachine Machine) Run(string name, params (string Key, string Value)[] overrides)
    {
        var m = Sim.RunBuiltin(name, overrides);
        return (RunReport.Build(m), m);
    }

    public static TheoryData<string> Builtins() => new(BuiltinScenarios.Names.Where(n =>
        !BuiltinScenarios.Load(n).Machine.IsSegmented));

    /// <summary>end − start = cpu + io_wait + sleep + high_throttle + run_delay for every process of every built-in,
    /// with kswapd on the CPUs and beside them: no time is lost or counted twice (a kill in a sleep, in the run
    /// queue or after the last step included).</summary>
    [Theory]
    [MemberData(nameof(Builtins))]
    public void A_process_time_adds_up(string name)
    {
        foreach (var mode in new[] { "shared", "own" })
        {
            var (r, _) = Run(name, ("machine.kswapd_cpu", mode));
            foreach (var p in r.Processes)
                Assert.True(p.EndNs - p.StartNs == p.CpuNs + p.IoWaitNs + p.SleepNs + p.HighThrottleNs + p.RunDelayNs,
                    $"{name} ({mode}) {p.Name}: end − start {p.EndNs - p.StartNs}, cpu {p.CpuNs} + io_wait {p.IoWaitNs} + " +
                    $"sleep {p.SleepNs} + high_throttle {p.HighThrottleNs} + run_delay {p.RunDelayNs}");
        }
    }

    /// <summary>With more CPUs than processes kswapd always finds an idle one: the whole report is the same as with
    /// kswapd on a CPU of its own.</summary>
    [Theory]
    [InlineData("swap-before-oom")]
    [InlineData("kswapd-vs-direct")]
    [InlineData("min-free-kbytes")]
    [InlineData("swappiness")]
    [InlineData("memory-low-protection")]
    public void With_an_idle_cpu_kswapd_changes_nothing(string name)
    {
        var (shared, _) = Run(name, ("machine.cpus", "8"), ("machine.kswapd_cpu", "shared"));
        var (own, _) = Run(name, ("machine.cpus", "8"), ("machine.kswapd_cpu", "own"));
        Assert.True(shared.Vmstat["pgscan_kswapd"] > 0);
        Assert.Equal(own.ToJson(), shared.ToJson());
        Assert.All(shared.Processes, p => Assert.Equal(0, p.RunDelayNs));
    }

    /// <summary>On one CPU the allocating process waits while kswapd reclaims: only for kswapd (it is the only other
    /// thing that runs while 'burst' allocates), so its wait is at most kswapd's CPU time; beside the tasks, never.</summary>
    [Fact]
    public void On_one_cpu_the_allocator_waits_for_kswapd()
    {
        var (shared, m) = Run("min-free-kbytes", ("machine.kswapd_cpu", "shared"));
        var burst = shared.Processes.Single(p => p.Name == "burst");
        Assert.True(burst.RunDelayNs > 0);
        Assert.True(burst.RunDelayNs <= m.Kswapd.BusyNs, $"run_delay {burst.RunDelayNs}, kswapd busy {m.Kswapd.BusyNs}");
        Assert.Equal(0, shared.Processes.Single(p => p.Name == "idle").RunDelayNs);
        var (own, _) = Run("min-free-kbytes");
        Assert.All(own.Processes, p => Assert.Equal(0, p.RunDelayNs));
    }

    /// <summary>kswapd-vs-direct on one shared CPU: the slow allocator (50 µs of work per page) waits a little for
    /// kswapd's turns but never reclaims itself; the fast one, once kswapd has had its share of the CPU, outruns it and
    /// enters direct reclaim far more often than with kswapd beside it (25 times).</summary>
    [Fact]
    public void Sharing_the_cpu_the_slow_allocator_is_still_fed_and_the_fast_one_stalls_more()
    {
        var (r, _) = Run("kswapd-vs-direct", ("machine.kswapd_cpu", "shared"));
        var slow = r.Processes.Single(p => p.Name == "slow");
        var fast = r.Processes.Single(p => p.Name == "fast");
        Assert.Equal(0, slow.DirectReclaims);
        Assert.Equal(7746400, slow.RunDelayNs);
        Assert.Equal(349, fast.DirectReclaims);
        Assert.Equal(349, r.Vmstat["allocstall_movable"] + r.Vmstat["allocstall_normal"]);
        var (own, _) = Run("kswapd-vs-direct");
        Assert.Equal(25, own.Processes.Single(p => p.Name == "fast").DirectReclaims);
    }

    [Fact]
    public void A_misspelt_kswapd_cpu_is_bad_input_naming_the_line()
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadText(
            "machine:\n  memory: 64MiB\n  kswapd_cpu: shard\nprocesses:\n  - name: p\n    steps: []\n", "k.yaml"));
        Assert.Equal(3, ex.Line);
        Assert.Contains("machine.kswapd_cpu 'shard'", ex.Message);
        Assert.Contains("shared", ex.Message);
    }

    [Fact]
    public void The_cpu_costs_of_the_kernel_are_settings()
    {
        var s = ScenarioLoader.LoadText("machine:\n  memory: 64MiB\n  latency: { syscall: 2us, reclaim_scan: 300ns, " +
            "reclaim_free: 400ns, swap_submit: 5us }\nprocesses:\n  - name: p\n    steps: []\n", "l.yaml");
        var l = s.Machine.Latency;
        Assert.Equal((2000L, 300L, 400L, 5000L), (l.SyscallNs, l.ReclaimScanNs, l.ReclaimFreeNs, l.SwapSubmitNs));
        var d = new LatencySpec();
        Assert.Equal((500L, 100L, 100L, 500L), (d.SyscallNs, d.ReclaimScanNs, d.ReclaimFreeNs, d.SwapSubmitNs));
        Assert.Equal("own", s.Machine.KswapdCpu);
    }
}
