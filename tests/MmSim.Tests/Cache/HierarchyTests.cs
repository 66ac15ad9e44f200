using System.Text.Json;
using MmSim.Cache;

namespace MmSim.Tests.Cache;

public class HierarchyTests
{
    // l1d: one set of 2 lines of 64 B, 2 cycles; l2: one set of 4 lines, 10 cycles; RAM 50 ns at 2 GHz = 100 cycles.
    private const string Tiny = """
        clock_ghz: 2
        ram_latency_ns: 50
        l1d: { size: 128, ways: 2, line: 64, latency: 2 }
        l2: { size: 256B, ways: 4, line: 64, latency: 10 }
        """;

    // Worked by hand (block = address / 64):
    //  L 0   block 0: l1d miss, l2 miss -> RAM       100
    //  L 8   block 0: l1d hit                          2
    //  S 40  block 1: l1d miss, l2 miss -> RAM, dirty 100
    //  L 80  block 2: l1d miss (evicts 0, clean), l2 miss -> RAM 100
    //  L 0   block 0: l1d miss (evicts 1, dirty), l2 hit 10
    //  M 80  block 2: l1d hit, hit                   2 + 2
    // 7 accesses, 316 cycles: AMAT 316/7 cycles = 158/7 ns.
    private const string Trace = " L 0,4\n L 8,4\n S 40,4\n L 80,4\n L 0,4\n M 80,4\n";

    [Fact]
    public void Amat_and_per_level_counts_are_exact_on_a_hand_worked_trace()
    {
        var h = new CacheHierarchy(HierarchyConfig.Parse(Tiny, "tiny"));
        using (var r = new LackeyRecordReader(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Trace)), "t")) h.Run(r);
        var l1 = h.Levels[0].Cache;
        var l2 = h.Levels[1].Cache;
        Assert.Equal((3L, 4L, 2L, 1L), (l1.Hits, l1.Misses, l1.Evictions, l1.DirtyEvictions));
        Assert.Equal((1L, 3L, 0L), (l2.Hits, l2.Misses, l2.Evictions));
        Assert.Equal(3, h.RamAccesses);
        Assert.Equal(7, h.Accesses);
        Assert.Equal(316.0, h.TotalCycles);
        Assert.Equal(316.0 / 7, h.AmatCycles, 12);
        Assert.Equal(158.0 / 7, h.AmatNs, 12);
    }

    [Fact]
    public void Json_has_per_level_figures()
    {
        string y = CacheCli.Temp(Tiny, ".yaml");
        string t = CacheCli.Temp(Trace);
        var r = CacheCli.Run("cache", "--hierarchy", y, "-t", t, "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        var levels = doc.RootElement.GetProperty("levels");
        Assert.Equal(2, levels.GetArrayLength());
        Assert.Equal("l1d", levels[0].GetProperty("name").GetString());
        Assert.Equal(4, levels[0].GetProperty("misses").GetInt64());
        Assert.Equal(1, levels[1].GetProperty("hits").GetInt64());
        Assert.Equal(316.0 / 7, doc.RootElement.GetProperty("amat_cycles").GetDouble(), 9);
        Assert.Equal(3, doc.RootElement.GetProperty("ram_accesses").GetInt64());
    }

    [Fact]
    public void Instruction_fetches_go_to_l1i()
    {
        var h = new CacheHierarchy(HierarchyConfig.Default);
        using (var r = new LackeyRecordReader(new MemoryStream(" L 0,4\nI  0,4\nI  4,4\n"u8.ToArray()), "t")) h.Run(r);
        var l1i = h.Levels.Single(l => l.Name == "l1i").Cache;
        Assert.Equal((1L, 1L), (l1i.Hits, l1i.Misses));
        Assert.Equal(1, h.Levels.Single(l => l.Name == "l2").Cache.Hits); // the fetch of block 0 finds it in L2
    }

    [Fact]
    public void Default_hierarchy_runs_on_the_long_trace()
    {
        var r = CacheCli.Run("cache", "--hierarchy", "default", "-t", CacheCli.Data("long.trace"));
        Assert.Equal(0, r.Code);
        Assert.Contains("l1d: hits:", r.Out);
        Assert.Contains("amat:", r.Out);
    }

    [Theory]
    [InlineData("clock_ghz: 1\nl1d: { size: 100, ways: 2, line: 64, latency: 1 }\n", "not a whole number of sets")]
    [InlineData("clock_ghz: 1\nl1d: { size: 128, ways: 2, line: 48, latency: 1 }\n", "power of two")]
    [InlineData("clock_ghz: 1\nl2: { size: 128, ways: 2, line: 64, latency: 1 }\n", "expected an l1d level")]
    [InlineData("clock_ghz: 1\nl1d: { size: 12XB, ways: 2, line: 64, latency: 1 }\n", "expected a size")]
    [InlineData("clock_ghz: 1\nl1d: { size: 128, wayz: 2 }\n", "wayz")]
    public void Bad_hierarchy_files_are_clear_errors(string yaml, string message)
    {
        var r = CacheCli.Run("cache", "--hierarchy", CacheCli.Temp(yaml, ".yaml"), "-t", CacheCli.Data("yi.trace"));
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
    }
}
