using System.Text.Json;
using MmSim.Cli;
using MmSim.Reports;
using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Tests.Twin;

/// <summary>
/// The twin against the real kernel: each test boots a short VM (10-20 s with software emulation), so they are
/// few and in one class (run serially). They need qemu-system-x86, linux-image-amd64 and busybox-static
/// installed; without them they fail with a message saying what to install. They run alone, after the other test
/// classes (<see cref="TwinVmCollection"/>): under software emulation the real kernel's timing, and with it how
/// much it swaps, follows the host's load.
/// </summary>
[Trait("Category", "Twin")]
[Collection(TwinVmCollection.Name)]
public class TwinTests
{
    private static string ScenarioPath(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "tests", "MmSim.Tests", "Twin", file);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"tests/MmSim.Tests/Twin/{file} not found above {AppContext.BaseDirectory}");
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static TwinComparison Compare(string file)
    {
        string path = ScenarioPath(file);
        return TwinCompare.Run(ScenarioLoader.LoadFile(path), () => ScenarioLoader.LoadFile(path));
    }

    private static JsonElement Row(JsonElement rows, string what) =>
        rows.EnumerateArray().Single(r => r.GetProperty("what").GetString() == what);

    [Fact]
    public void Lazy_allocation_faults_equal_the_real_kernel()
    {
        var (code, o, e) = Cli("twin", "compare", ScenarioPath("lazy-allocation-384.yaml"), "--json");
        Assert.True(code == 0, e);
        using var doc = JsonDocument.Parse(o);
        var rows = doc.RootElement.GetProperty("rows");
        var lazy = Row(rows, "lazy: minflt");
        Assert.Equal(16384, lazy.GetProperty("real").GetInt64());
        Assert.Equal("equal", lazy.GetProperty("verdict").GetString());
        var rw = Row(rows, "readwrite: minflt");
        Assert.Equal(32768, rw.GetProperty("real").GetInt64());
        Assert.Equal("equal", rw.GetProperty("verdict").GetString());
        Assert.Equal("equal", Row(rows, "MemTotal").GetProperty("verdict").GetString());
        foreach (var r in rows.EnumerateArray())
            Assert.Contains(r.GetProperty("verdict").GetString(), new[] { "equal", "close", "differs" });
    }

    /// <summary>A built-in with overrides (<c>machine.swap=0</c>...), compared with the real kernel.</summary>
    private static TwinComparison CompareBuiltin(string name, params (string Key, string Value)[] overrides)
    {
        string text = BuiltinScenarios.Text(name);
        string source = $"builtin:{name}";
        return TwinCompare.Run(ScenarioOverrides.Apply(text, source, name, overrides),
            () => ScenarioOverrides.Apply(text, source, name, overrides));
    }

    private static CompareRow RowOf(TwinComparison cmp, string what) => cmp.Rows.Single(r => r.What == what);

    /// <summary>The comparison agrees on every process's fate, and the real kernel's OOM killer named the same
    /// victims as the simulator's ("Out of memory: Killed process PID (NAME)").</summary>
    private static void AssertSameFates(TwinComparison cmp)
    {
        foreach (var row in cmp.Rows.Where(r => r.What.EndsWith(": fate")))
            Assert.True(row.Verdict == TwinComparison.Equal, $"{row.What}: simulated {row.Simulated}, real {row.Real}");
        var sim = cmp.Simulated!;
        var real = cmp.Real!;
        var simVictims = sim.Events.Where(e => e.Type == "oom_kill" && e.Message.Contains("Killed process"))
            .Select(e => sim.Processes.Single(p => p.Pid == e.Pid).Name).ToList();
        var realVictims = real.Events.Where(e => e.Type == "oom_kill" && e.Message.Contains("Out of memory: Killed process"))
            .Select(e => real.Processes.Single(p => p.Pid == e.Pid)).ToList();
        Assert.Equal(simVictims, realVictims.Select(p => p.Name).ToList());
        foreach (var p in realVictims)
            Assert.Contains(real.Events, ev => ev.Message.Contains($"Out of memory: Killed process {p.Pid} ({p.Name})"));
        Assert.Equal(simVictims.Count, (long)RowOf(cmp, "oom_kill").Real);
    }

    [Fact]
    public void Without_swap_the_kernel_kills_the_biggest_process_as_the_simulator_does()
    {
        var cmp = CompareBuiltin("swap-before-oom", ("machine.swap", "0"));
        AssertSameFates(cmp);
        var real = cmp.Real!;
        var big = real.Processes.Single(p => p.Name == "big");
        Assert.Equal("killed", big.State);
        Assert.Equal("SIGKILL", big.Signal);
        Assert.Equal("running", real.Processes.Single(p => p.Name == "small").State);
        Assert.Equal(TwinComparison.Equal, RowOf(cmp, "oom_kill").Verdict);
    }

    [Fact]
    public void With_swap_both_processes_survive_and_pages_are_swapped_out()
    {
        var cmp = CompareBuiltin("swap-before-oom");
        AssertSameFates(cmp);
        var real = cmp.Real!;
        Assert.All(real.Processes, p => Assert.Equal("running", p.State));
        Assert.True(real.Vmstat["pswpout"] > 0, $"pswpout = {real.Vmstat["pswpout"]}");
        Assert.True(real.Processes.Sum(p => p.VmSwap) > 0);
        Assert.DoesNotContain(real.Events, ev => ev.Type == "oom_kill");
        // The reclaim issue's rows exist, with the real kernel's values.
        foreach (var what in new[] { "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
                     "allocstall_movable", "nr_written", "workingset_refault_file", "big: VmSwap kB" })
            Assert.Contains(cmp.Rows, r => r.What == what);
        Assert.True((long)RowOf(cmp, "pswpout").Real > 0);
        // The reclaim issue's tolerance: pswpout and pgmajfault within 20% (or 8) of the real kernel's, both
        // machines starting with the same free memory (machine.kernel_memory from the VM's /proc/meminfo).
        AssertWithinSwapTolerance(cmp);
    }

    private static void AssertWithinSwapTolerance(TwinComparison cmp)
    {
        foreach (var what in new[] { "pswpout", "pgmajfault" })
        {
            var row = RowOf(cmp, what);
            Assert.True(row.Verdict != TwinComparison.Differs, $"{what}: simulated {row.Simulated}, real {row.Real} ({row.Tolerance})");
        }
    }

    [Fact]
    public void Oom_score_adj_minus_1000_protects_the_largest_process_on_both()
    {
        var cmp = CompareBuiltin("oom-protect");
        AssertSameFates(cmp);
        var real = cmp.Real!;
        Assert.Equal("running", real.Processes.Single(p => p.Name == "db").State);
        Assert.Equal("killed", real.Processes.Single(p => p.Name == "cache").State);
        AssertKswapdRhythm(cmp);
    }

    /// <summary>kswapd's rhythm as the kernel's (kswapd_try_to_sleep): balance_pgdat calls, naps cut short by a
    /// wakeup, naps or passes ending unbalanced, within the counters' tolerance, on the OOM scenarios where the
    /// rhythm is the passes before the kill (four runs each, docs/twin.md "kswapd's rhythm"; swappiness's real
    /// count varies from 59 to 76 between runs, so it is not asserted).</summary>
    private static void AssertKswapdRhythm(TwinComparison cmp)
    {
        foreach (var what in new[] { "pageoutrun", "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly" })
        {
            var row = RowOf(cmp, what);
            Assert.True(row.Verdict != TwinComparison.Differs, $"{what}: simulated {row.Simulated}, real {row.Real} ({row.Tolerance})");
        }
    }

    /// <summary>The other reclaim built-ins: the same processes survive on the real kernel (the counters' verdicts
    /// are in docs/twin.md's fidelity table).</summary>
    [Theory]
    [InlineData("kswapd-vs-direct", true)]
    [InlineData("clean-vs-dirty", true)]
    [InlineData("swappiness", false)] // at 60 a few hundred pages are swapped on both sides, not within 20%: docs/twin.md
    [InlineData("min-free-kbytes", true)]
    public void Reclaim_builtins_end_with_the_same_fates_as_on_the_real_kernel(string name, bool swapWithinTolerance)
    {
        var cmp = CompareBuiltin(name);
        AssertSameFates(cmp);
        Assert.Contains(cmp.Rows, r => r.What == "pswpout");
        if (swapWithinTolerance) AssertWithinSwapTolerance(cmp);
        // Writes still in flight at the end complete before the report, as the kernel's do before the executor reads
        // (clean-vs-dirty writes file pages, not swap).
        if (name != "clean-vs-dirty") Assert.Equal(RowOf(cmp, "pswpout").Simulated, RowOf(cmp, "nr_written").Simulated);
    }

    /// <summary>get_scan_count at vm.swappiness=200: reclaim turns to anonymous pages on both machines, app's
    /// 100 MiB go to swap, and pswpout agrees within the reclaim issue's 20 %.</summary>
    [Fact]
    public void Swappiness_200_swaps_anonymous_pages_as_the_kernel_does()
    {
        var cmp = CompareBuiltin("swappiness", ("vm.swappiness", "200"));
        AssertSameFates(cmp);
        AssertWithinSwapTolerance(cmp);
        // app's heap in swap, with pswpout's 20 %: on the real kernel it varies run to run (96-98.5 MiB of the
        // 100 MiB here, less once in CI) with the order of reclaim, and the model swaps all of it, so the row's
        // 5 % (issue 9's, for cgroup scenarios) is at its edge.
        var vmSwap = RowOf(cmp, "app: VmSwap kB");
        double sim = Convert.ToDouble(vmSwap.Simulated), real = Convert.ToDouble(vmSwap.Real);
        Assert.True(Math.Abs(sim - real) <= 0.20 * Math.Max(sim, real), $"app: VmSwap simulated {sim} kB, real {real} kB");
        Assert.True((long)RowOf(cmp, "pswpout").Real > 20000, $"real pswpout {RowOf(cmp, "pswpout").Real}");
    }

    // ---- memory cgroups and pods (issue 9, "Judged by the real-kernel twin"): one VM each ----

    /// <summary>The OOM victims in the order of their first kill line ("Killed process PID (NAME)", global or
    /// memcg; a group kill may name its chosen victim twice).</summary>
    private static List<string> Victims(IEnumerable<EventReport> events, Func<int, string> name) =>
        events.Where(e => e.Type == "oom_kill" && e.Message.Contains(": Killed process "))
            .Select(e => e.Pid).Distinct().Select(name).ToList();

    /// <summary>What issue 9 asks of every cgroup built-in: the same fates and OOM victims, memory.events
    /// oom_kill (with the group tolerance) and oom_group_kill agreeing in every cgroup, and each process's VmRSS and
    /// VmSwap at its last step within 5 % (or 2048 kB: the executor's own pages).</summary>
    private static void AssertCgroupsAgree(TwinComparison cmp, params string[] vmRowsLeftOut)
    {
        foreach (var row in cmp.Rows.Where(r => r.What.EndsWith(": fate")))
            Assert.True(row.Verdict == TwinComparison.Equal, $"{row.What}: simulated {row.Simulated}, real {row.Real}");
        var sim = cmp.Simulated!;
        var real = cmp.Real!;
        Assert.Equal(Victims(sim.Events, pid => sim.Processes.Single(p => p.Pid == pid).Name),
            Victims(real.Events, pid => real.Processes.Single(p => p.Pid == pid).Name));
        Assert.NotNull(real.Cgroups);
        Assert.Equal(sim.Cgroups!.Select(c => c.Path), real.Cgroups!.Select(c => c.Path));
        foreach (var row in cmp.Rows.Where(r => r.What.EndsWith(": memory.events oom_kill") || r.What.EndsWith(": memory.events oom_group_kill")))
            Assert.True(row.Verdict != TwinComparison.Differs, $"{row.What}: simulated {row.Simulated}, real {row.Real} ({row.Tolerance})");
        foreach (var row in cmp.Rows.Where(r => r.What.EndsWith(": VmRSS kB") || r.What.EndsWith(": VmSwap kB")))
            if (!vmRowsLeftOut.Contains(row.What))
                Assert.True(row.Verdict != TwinComparison.Differs, $"{row.What}: simulated {row.Simulated}, real {row.Real} ({row.Tolerance})");
    }

    private static CgroupReport RealCg(TwinComparison cmp, string path) => cmp.Real!.Cgroups!.Single(c => c.Path == path);

    [Fact]
    public void Container_oom_kills_the_container_by_its_own_limit_on_the_real_kernel()
    {
        var cmp = CompareBuiltin("container-oom");
        AssertCgroupsAgree(cmp);
        var real = cmp.Real!;
        Assert.Equal("killed", real.Processes.Single(p => p.Name == "api").State);
        Assert.Equal("running", real.Processes.Single(p => p.Name == "nginx").State);
        int api = real.Processes.Single(p => p.Name == "api").Pid;
        Assert.Contains(real.Events, e => e.Message.StartsWith($"Memory cgroup out of memory: Killed process {api} (api)"));
        Assert.Equal(1L, RealCg(cmp, "kubepods/burstable/podshop/api").Events["oom_kill"]);
        Assert.Equal(TwinComparison.Equal, RowOf(cmp, "kubepods/burstable/podshop/api: memory.events oom_kill").Verdict);
        // The pod, holding api's per-CPU statistics, reaches the common 128 MiB limit first: its OOM on both sides.
        Assert.Equal(TwinComparison.Equal, RowOf(cmp, "kubepods/burstable/podshop: memory.events oom").Verdict);
        Assert.Equal(1L, RealCg(cmp, "kubepods/burstable/podshop").Events["oom"]);
        var shop = real.Pods!.Single(p => p.Name == "shop");
        Assert.Equal("container", shop.Containers.Single().OomKill);
        Assert.Equal(TwinComparison.Equal, RowOf(cmp, "oom_kill").Verdict);
    }

    [Fact]
    public void Node_oom_kills_the_best_effort_pod_on_the_real_kernel()
    {
        var cmp = CompareBuiltin("node-oom");
        AssertCgroupsAgree(cmp);
        var real = cmp.Real!;
        Assert.Equal("killed", real.Processes.Single(p => p.Name == "job").State);
        Assert.Equal(1000, real.Processes.Single(p => p.Name == "job").OomScoreAdj);
        Assert.Equal(-997, real.Processes.Single(p => p.Name == "postgres").OomScoreAdj);
        int job = real.Processes.Single(p => p.Name == "job").Pid;
        Assert.Contains(real.Events, e => e.Message.StartsWith($"Out of memory: Killed process {job} (job)") && e.Message.EndsWith("oom_score_adj:1000"));
        Assert.Equal("node", real.Pods!.Single(p => p.Name == "batch").Containers.Single().OomKill);
        Assert.Equal(0L, RealCg(cmp, "kubepods/besteffort/podbatch/job").Events["oom"]); // a global OOM is not the cgroup's
        AssertKswapdRhythm(cmp);
    }

    /// <summary>memory.oom.group on the real kernel: both workers die, oom_group_kill 1; oom_kill 3 (the chosen
    /// victim counted twice, as the model does) or 2 (the victim already exiting): the documented tolerance.</summary>
    [Fact]
    public void Oom_group_kills_the_whole_job_on_the_real_kernel()
    {
        var cmp = CompareBuiltin("oom-group");
        AssertCgroupsAgree(cmp);
        var real = cmp.Real!;
        Assert.Equal("killed", real.Processes.Single(p => p.Name == "worker1").State);
        Assert.Equal("killed", real.Processes.Single(p => p.Name == "worker2").State);
        Assert.Equal("running", real.Processes.Single(p => p.Name == "monitor").State);
        var job = RealCg(cmp, "batch/job1");
        Assert.Equal(1L, job.Events["oom_group_kill"]);
        Assert.InRange(job.Events["oom_kill"], 2L, 3L);
        Assert.Equal(3L, (long)RowOf(cmp, "batch/job1: memory.events oom_kill").Simulated);
        Assert.Contains(real.Events, e => e.Message == "Tasks in /batch/job1 are going to be killed due to memory.oom.group set");
    }

    /// <summary>memory.high on the real kernel: throttled ('high' events on both), never killed.</summary>
    [Fact]
    public void Memory_high_throttles_without_killing_on_the_real_kernel()
    {
        var cmp = CompareBuiltin("memory-high-throttle");
        AssertCgroupsAgree(cmp);
        var high = RowOf(cmp, "svc: memory.events high");
        Assert.True((long)high.Simulated > 0 && (long)high.Real > 0, $"high: simulated {high.Simulated}, real {high.Real}");
        Assert.NotEqual(TwinComparison.Differs, high.Verdict);
        Assert.Equal(0L, (long)RowOf(cmp, "svc: memory.events oom_kill").Real);
        Assert.Equal(0L, (long)RowOf(cmp, "oom_kill").Real);
        Assert.Equal("running", cmp.Real!.Processes.Single(p => p.Name == "app").State);
        // The penalty sleeps are memory stalls on the real kernel too: seconds of them in svc's memory.pressure.
        Assert.True(Convert.ToInt64(RealCg(cmp, "svc").Pressure.Some["total"]) > 1_000_000);
    }

    /// <summary>memory.low on the real kernel: the database keeps its 160 MiB cache while batch swaps.</summary>
    [Fact]
    public void Memory_low_protects_the_cache_on_the_real_kernel()
    {
        var cmp = CompareBuiltin("memory-low-protection");
        // Every process's VmRSS and VmSwap within 5 % (or 2048 kB) but batch's, whose split between them is not a
        // property of the kernel but of the host's speed (docs/twin.md, "batch's VmRSS / VmSwap split"). Batch ends
        // with all of its 400 MiB either mapped (VmRSS), in the swap cache (written out, unmapped, not yet freed:
        // counted in VmSwap and memory.current), or on the swap device only. What is mapped and what sits in the swap
        // cache follows the last reclaim passes' timing: under software emulation the real kernel left 0.7k-3.7k
        // pages there (VmSwap 159080-168232 kB on a quiet host, 155684-157788 kB in CI), the model ~3.2k (its swap
        // disk, not its CPU, limits reclaim: VmSwap 166000-166560). How much of batch is in RAM is what memory.low
        // and reclaim decide: memory.current, within 1.5 % in every run measured (the row's tolerance is 5 %).
        AssertCgroupsAgree(cmp, "batch: VmRSS kB", "batch: VmSwap kB");
        Assert.NotEqual(TwinComparison.Differs, RowOf(cmp, "batch: memory.current kB").Verdict);
        long Num(string what, bool real) => Convert.ToInt64(real ? RowOf(cmp, what).Real : RowOf(cmp, what).Simulated);
        foreach (bool real in new[] { false, true })
        {
            // All of the heap, mapped or swapped (the real one also holds the executor's ~1.5 MiB).
            long heap = Num("batch: VmRSS kB", real) + Num("batch: VmSwap kB", real);
            Assert.InRange(heap, 400L << 10, (400L << 10) + 2048);
            // The swap cache residue: charged to batch, not mapped (memory.current also holds batch's page tables).
            long residue = Num("batch: memory.current kB", real) - Num("batch: VmRSS kB", real);
            Assert.InRange(residue, 0L, 16L << 10);
        }
        // batch really is split between RAM and swap on both (~245 MB / ~160 MB).
        foreach (var side in new[] { RowOf(cmp, "batch: VmSwap kB").Simulated, RowOf(cmp, "batch: VmSwap kB").Real,
                                     RowOf(cmp, "batch: VmRSS kB").Simulated, RowOf(cmp, "batch: VmRSS kB").Real })
            Assert.InRange((long)side, 100L << 10, 400L << 10);
        var db = RealCg(cmp, "db");
        Assert.True(db.Stat["file"] >= 160L << 20, $"db file {db.Stat["file"]}");
        Assert.True((long)RealCg(cmp, "batch").Files["memory.swap.current"] > 0);
        Assert.NotEqual(TwinComparison.Differs, RowOf(cmp, "db: memory.current kB").Verdict);
        // Reclaim never went below db's memory.low on either side (the model's kswapd used to: docs/memcg.md).
        Assert.Equal(0L, db.Events["low"]);
        Assert.Equal(TwinComparison.Equal, RowOf(cmp, "db: memory.events low").Verdict);
    }

    [Theory]
    [InlineData("machine: { memory: 256MiB, page_size: 16KiB }", "page_size 16KiB", "4 KiB")]
    [InlineData("machine: { memory: 64GiB }", "64GiB machine", "RAM")]
    public void A_scenario_the_twin_cannot_express_is_bad_input(string machine, string what, string why)
    {
        string path = Path.Combine(TestTemp.Dir, $"mmsim-twin-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"{machine}\nprocesses:\n  - name: p\n    steps:\n      - alloc: {{ name: a, size: 1MiB }}\n");
        try
        {
            var (code, o, e) = Cli("twin", "run", path);
            Assert.Equal(2, code);
            Assert.Equal("", o);
            Assert.Contains("twin cannot", e);
            Assert.Contains(what, e);
            Assert.Contains(why, e);
            Assert.DoesNotContain("   at ", e);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The VM tests' collection: not run in parallel with anything else (xunit runs it after the parallel
/// collections), so the emulated kernel is not slowed by the simulator's own tests on the same cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwinVmCollection
{
    public const string Name = "Twin VMs";
}
