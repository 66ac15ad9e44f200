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

    [Fact]
    public void Without_swap_the_kernel_kills_the_biggest_process()
    {
        var cmp = Compare("swap-before-oom.yaml");
        var real = cmp.Real!;
        var big = real.Processes.Single(p => p.Name == "big");
        var small = real.Processes.Single(p => p.Name == "small");
        Assert.Equal("killed", big.State);
        Assert.Equal("SIGKILL", big.Signal);
        Assert.Equal("running", small.State);
        Assert.Contains(real.Events, ev => ev.Type == "oom_kill" && ev.Pid == big.Pid
            && ev.Message.Contains($"Out of memory: Killed process {big.Pid} (big)"));
        Assert.Equal(1, real.Vmstat["oom_kill"]);
        // The comparison has the rows, with the real values (the simulator has no OOM killer yet: no verdict asserted).
        Assert.Equal("killed (SIGKILL)", cmp.Rows.Single(r => r.What == "big: fate").Real);
        Assert.Equal("survived", cmp.Rows.Single(r => r.What == "small: fate").Real);
        Assert.Equal(1L, cmp.Rows.Single(r => r.What == "oom_kill").Real);
    }

    [Fact]
    public void With_swap_both_processes_survive_and_pages_are_swapped_out()
    {
        var cmp = Compare("swap-before-oom-swap.yaml");
        var real = cmp.Real!;
        Assert.All(real.Processes, p => Assert.Equal("running", p.State));
        Assert.True(real.Vmstat["pswpout"] > 0, $"pswpout = {real.Vmstat["pswpout"]}");
        Assert.True(real.Processes.Sum(p => p.VmSwap) > 0);
        Assert.DoesNotContain(real.Events, ev => ev.Type == "oom_kill");
        Assert.Equal("survived", cmp.Rows.Single(r => r.What == "big: fate").Real);
        Assert.Equal("survived", cmp.Rows.Single(r => r.What == "small: fate").Real);
        Assert.True((long)cmp.Rows.Single(r => r.What == "pswpout").Real > 0);
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
