using System.Text.Json;
using MmSim.Cli;

namespace MmSim.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Temp(string content, string ext = ".yaml")
    {
        string p = Path.Combine(TestTemp.Dir, $"mmsim-test-{Guid.NewGuid():N}{ext}");
        File.WriteAllText(p, content);
        return p;
    }

    [Fact]
    public void Run_without_arguments_runs_the_lazy_allocation_scenario()
    {
        var (code, o, e) = Run("run");
        Assert.Equal(0, code);
        Assert.Equal("", e);
        Assert.Contains("lazy", o);
        Assert.Contains("16384", o);
        Assert.Contains("/proc/meminfo", o);
    }

    [Fact]
    public void Json_report_has_the_contract_fields()
    {
        var (code, o, _) = Run("run", "lazy-allocation", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(o);
        var root = doc.RootElement;
        var p = root.GetProperty("processes")[0];
        foreach (var f in new[] { "pid", "name", "state", "minflt", "majflt", "oom_score_adj", "VmSize", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmPTE" })
            Assert.True(p.TryGetProperty(f, out _), f);
        Assert.Equal(1000, p.GetProperty("pid").GetInt32());
        Assert.Equal(16384, p.GetProperty("minflt").GetInt64());
        Assert.True(root.GetProperty("meminfo").GetProperty("MemTotal").GetInt64() > 0);
        Assert.Equal(16384 + 32768, root.GetProperty("vmstat").GetProperty("pgfault").GetInt64());
        Assert.True(root.GetProperty("buddyinfo").GetArrayLength() >= 2);
        Assert.True(root.GetProperty("watermarks").GetArrayLength() >= 2);
        var ev = root.GetProperty("events")[0];
        foreach (var f in new[] { "time_ns", "type", "pid", "message" }) Assert.True(ev.TryGetProperty(f, out _), f);
    }

    [Fact]
    public void A_yaml_syntax_error_is_one_message_with_file_and_line_and_exit_2()
    {
        string path = Temp("machine: { memory: 1GiB\nprocesses: []\n");
        var (code, o, e) = Run("run", path);
        Assert.Equal(2, code);
        Assert.Equal("", o);
        Assert.StartsWith($"mmsim: {path}:", e);
        Assert.DoesNotContain("   at ", e);
        Assert.Single(e.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("processes:\n  - name: a\n    steps:\n      - tuch: { region: h }\n", 4, "unknown step 'tuch'")]
    [InlineData("machine: { memory: 12XB }\n", 1, "invalid size '12XB'")]
    [InlineData("processes:\n  - name: a\n    steps:\n      - touch: { region: nope }\n", 4, "nope")]
    public void Bad_scenarios_name_the_line(string yaml, int line, string expected)
    {
        string path = Temp(yaml);
        var (code, _, e) = Run("run", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:{line}", e);
        Assert.Contains(expected, e);
    }

    [Fact]
    public void A_missing_file_is_exit_2()
    {
        var (code, _, e) = Run("run", "/nonexistent/scenario.yaml");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/scenario.yaml", e);
    }

    [Fact]
    public void Timeline_and_plot_files_are_written()
    {
        string csv = Path.Combine(TestTemp.Dir, $"mmsim-{Guid.NewGuid():N}.csv");
        string png = Path.Combine(TestTemp.Dir, $"mmsim-{Guid.NewGuid():N}.png");
        var (code, _, e) = Run("run", "lazy-allocation", "--timeline", csv, "--plot", png, "--interval", "1ms");
        Assert.True(code == 0, e);
        var lines = File.ReadAllLines(csv);
        Assert.StartsWith("time_ns,MemFree", lines[0]);
        Assert.True(lines.Length > 3);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(0x89, bytes[0]);
        Assert.Equal((byte)'P', bytes[1]);
    }

    [Fact]
    public void Scenarios_lists_the_builtins()
    {
        var (code, o, _) = Run("scenarios");
        Assert.Equal(0, code);
        foreach (var n in new[] { "lazy-allocation", "zero-page-cow", "segfault-kernel-address", "page-cache-hit-miss" })
            Assert.Contains(n, o);
    }
}
