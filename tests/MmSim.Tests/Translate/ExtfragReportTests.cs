using System.Text.Json;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Translate;

/// <summary>The run report's /sys/kernel/debug/extfrag files, checked by hand against the report's buddyinfo.</summary>
public class ExtfragReportTests
{
    private static RunReport LazyAllocation()
    {
        var m = new SimMachine(BuiltinScenarios.Load("lazy-allocation"));
        m.Run();
        return RunReport.Build(m);
    }

    [Fact]
    public void Indices_per_zone_and_order_match_the_buddyinfo_by_hand()
    {
        var r = LazyAllocation();
        // /proc/buddyinfo: DMA has 1 block of order 8, 1 of order 9 and 3 of order 10 free: 256 + 512 + 3072 = 3840
        // pages. Order 9: 1 + 3 × 2 = 7 suitable blocks, (3840 − 7 × 512) × 1000 / 3840 = 66; order 10: 3 blocks,
        // (3840 − 3072) × 1000 / 3840 = 200. Every order has a free block, so extfrag_index is −1.000 everywhere.
        Assert.Equal("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ", r.Buddyinfo[0]);
        Assert.Equal("Node 0, zone      DMA 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.066 0.200 ", r.Extfrag.UnusableIndex[0]);
        Assert.Equal("Node 0, zone      DMA" + string.Concat(Enumerable.Repeat(" -1.000", 11)) + " ", r.Extfrag.ExtfragIndex[0]);
        // DMA32: 1, 0, 1, 1, 0, 1, 1, 2, 1, 2, 235 free blocks = 242285 pages; order 10: (242285 − 235 × 1024) × 1000
        // / 242285 = 6.
        Assert.Equal("Node 0, zone    DMA32      1      0      1      1      0      1      1      2      1      2    235 ", r.Buddyinfo[1]);
        var dma32 = r.Extfrag.Zones[1];
        Assert.Equal("DMA32", dma32.Zone);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 6], dma32.UnusableIndex);
        Assert.All(dma32.ExtfragIndex, i => Assert.Equal(-1000, i));
    }

    [Fact]
    public void A_fragmented_zone_has_fragmentation_indices_between_0_and_1()
    {
        var m = new SimMachine(BuiltinScenarios.Load("swap-before-oom"));
        m.Run();
        var r = RunReport.Build(m);
        // DMA ends with one free block of each of orders 0, 1, 2, 3, 4, 6 and 7: 223 pages in 7 blocks. Orders 8 to
        // 10 would fail: 1000 − (1000 + 223000 / 256) / 7 = 1000 − 1871 / 7 = 733; order 9: 1000 − 1435 / 7 = 795;
        // order 10: 1000 − 1217 / 7 = 827. Unusable at order 7: (223 − 128) × 1000 / 223 = 426.
        Assert.Equal("Node 0, zone      DMA      1      1      1      1      1      0      1      1      0      0      0 ", r.Buddyinfo[0]);
        Assert.Equal("Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000  0.733  0.795  0.827 ", r.Extfrag.ExtfragIndex[0]);
        Assert.Equal("Node 0, zone      DMA 0.000 0.004 0.013 0.031 0.067 0.139 0.139 0.426 1.000 1.000 1.000 ", r.Extfrag.UnusableIndex[0]);
    }

    [Fact]
    public void Json_has_the_debugfs_lines_and_the_numbers()
    {
        var json = JsonDocument.Parse(LazyAllocation().ToJson()).RootElement.GetProperty("extfrag");
        Assert.Equal(["unusable_index", "extfrag_index", "zones"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, json.GetProperty("unusable_index").GetArrayLength());
        Assert.Equal(200, json.GetProperty("zones")[0].GetProperty("unusable_index")[10].GetInt32());
    }

    [Fact]
    public void Text_report_prints_both_files()
    {
        var (code, o, _) = TranslateCommandTests.Run("run", "lazy-allocation");
        Assert.Equal(0, code);
        Assert.Contains("/sys/kernel/debug/extfrag/unusable_index\nNode 0, zone      DMA 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.066 0.200 \n", o.Replace("\r\n", "\n"));
        Assert.Contains("/sys/kernel/debug/extfrag/extfrag_index\n", o.Replace("\r\n", "\n"));
    }
}
