using System.Text.Json;
using MmSim.Cli;
using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Tests.Twin;

/// <summary>
/// The twin against the real kernel: each test boots a short VM (10-20 s with software emulation), so they are
/// few and in one class (run serially). They need qemu-system-x86, linux-image-amd64 and busybox-static
/// installed; without them they fail with a message saying what to install.
/// </summary>
[Trait("Category", "Twin")]
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

    [Theory]
    [InlineData("machine: { memory: 256MiB, page_size: 16KiB }", "page_size 16KiB", "4 KiB")]
    [InlineData("machine: { memory: 64GiB }", "64GiB machine", "RAM")]
    public void A_scenario_the_twin_cannot_express_is_bad_input(string machine, string what, string why)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mmsim-twin-bad-{Guid.NewGuid():N}.yaml");
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
