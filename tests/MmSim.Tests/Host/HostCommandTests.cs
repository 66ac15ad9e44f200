using System.Text.Json;
using MmSim.Cli;

namespace MmSim.Tests.Host;

public class HostCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Json_is_a_list_in_victim_order_with_the_contract_fields()
    {
        var (code, o, e) = Run("host", "oom", "--proc-root", HostFixtureTests.FixtureRoot, "--page-size", "4096", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", e);
        using var doc = JsonDocument.Parse(o);
        var list = doc.RootElement;
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        Assert.Equal(new[] { 1450, 1302, 1201, 3100, 2000, 2001, 412, 1, 655 },
            list.EnumerateArray().Select(p => p.GetProperty("pid").GetInt32()));
        foreach (var p in list.EnumerateArray())
            foreach (var f in new[] { "pid", "comm", "oom_score", "oom_score_adj", "badness_pages", "rss_kb", "swap_kb", "pgtables_kb" })
                Assert.True(p.TryGetProperty(f, out _), f);
        var postgres = list[2];
        Assert.Equal("postgres", postgres.GetProperty("comm").GetString());
        Assert.Equal(766, postgres.GetProperty("oom_score").GetInt64());
        Assert.Equal(766, postgres.GetProperty("kernel_oom_score").GetInt64());
        Assert.Equal(377856, postgres.GetProperty("badness_pages").GetInt64());
        Assert.Equal(1376256, postgres.GetProperty("rss_kb").GetInt64());
        Assert.Equal(131072, postgres.GetProperty("swap_kb").GetInt64());
        Assert.Equal(4096, postgres.GetProperty("pgtables_kb").GetInt64());
        Assert.False(list[1].TryGetProperty("kernel_oom_score", out _));
        Assert.Equal(JsonValueKind.Null, list[7].GetProperty("badness_pages").ValueKind);
        Assert.Equal(0, list[7].GetProperty("oom_score").GetInt64());
    }

    [Fact]
    public void Text_table_lists_the_processes()
    {
        var (code, o, _) = Run("host", "oom", "--proc-root", HostFixtureTests.FixtureRoot, "--page-size", "4096");
        Assert.Equal(0, code);
        Assert.Contains("totalpages = 2531594", o);
        Assert.Contains("oomtarget", o);
        Assert.Contains("never", o);
        Assert.True(o.IndexOf("oomtarget", StringComparison.Ordinal) < o.IndexOf("postgres", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_proc_root_is_exit_2_with_one_message()
    {
        var (code, o, e) = Run("host", "oom", "--proc-root", "/nonexistent/proc");
        Assert.Equal(2, code);
        Assert.Equal("", o);
        Assert.Equal("mmsim: --proc-root: no such directory: /nonexistent/proc", e.TrimEnd());
    }

    [Fact]
    public void The_live_host_runs()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (code, o, _) = Run("host", "oom", "--json");
        Assert.Equal(0, code);
        Assert.True(JsonDocument.Parse(o).RootElement.GetArrayLength() > 0);
    }
}
