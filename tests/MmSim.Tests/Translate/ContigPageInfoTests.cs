using MmSim.Physical;

namespace MmSim.Tests.Translate;

/// <summary>The extfrag indices of mm/vmstat.c, computed by hand. Free blocks: 10 of order 0, 5 of order 1,
/// 2 of order 2 — free_pages = 10 + 10 + 8 = 28, free_blocks_total = 17.</summary>
public class ContigPageInfoTests
{
    private static readonly long[] NrFree = [10, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Fill_counts_pages_blocks_and_suitable_blocks()
    {
        Assert.Equal(new ContigPageInfo(28, 17, 28), ContigPageInfo.Fill(NrFree, 0)); // 10 + 5*2 + 2*4
        Assert.Equal(new ContigPageInfo(28, 17, 9), ContigPageInfo.Fill(NrFree, 1));  // 5 + 2*2
        Assert.Equal(new ContigPageInfo(28, 17, 2), ContigPageInfo.Fill(NrFree, 2));
        Assert.Equal(new ContigPageInfo(28, 17, 0), ContigPageInfo.Fill(NrFree, 3));
    }

    [Theory]
    [InlineData(0, 0)]     // (28 - 28*1) * 1000 / 28
    [InlineData(1, 357)]   // (28 - 9*2) * 1000 / 28 = 10000/28 = 357.1
    [InlineData(2, 714)]   // (28 - 2*4) * 1000 / 28 = 20000/28 = 714.2
    [InlineData(3, 1000)]  // nothing suitable: all of it unusable
    public void Unusable_free_index(int order, int expected)
    {
        Assert.Equal(expected, ContigPageInfo.UnusableFreeIndex(order, ContigPageInfo.Fill(NrFree, order)));
    }

    [Theory]
    [InlineData(2, -1000)] // an order-2 block is free: the allocation would succeed
    [InlineData(3, 736)]   // 1000 - (1000 + 28000/8) / 17 = 1000 - 4500/17 = 1000 - 264
    [InlineData(10, 940)]  // 1000 - (1000 + 28000/1024) / 17 = 1000 - 1027/17 = 1000 - 60
    public void Fragmentation_index(int order, int expected)
    {
        Assert.Equal(expected, ContigPageInfo.FragmentationIndex(order, ContigPageInfo.Fill(NrFree, order)));
    }

    [Fact]
    public void Empty_zone_and_format()
    {
        var none = ContigPageInfo.Fill(new long[11], 3);
        Assert.Equal(1000, ContigPageInfo.UnusableFreeIndex(3, none));
        Assert.Equal(0, ContigPageInfo.FragmentationIndex(3, none));
        Assert.Equal("0.714", ContigPageInfo.Format(714));
        Assert.Equal("-1.000", ContigPageInfo.Format(-1000));
        Assert.Equal("1.000", ContigPageInfo.Format(1000));
    }

    [Fact]
    public void A_simulated_zone_after_a_run()
    {
        var m = Sim.Run(PageWalkTests.Yaml);
        foreach (var zone in m.Kernel.Phys.Zones.Where(z => z.FreeBlocks.Sum() > 0))
        {
            int previous = -1;
            for (int order = 0; order <= Buddy.MaxOrder; order++)
            {
                var info = ContigPageInfo.Fill(zone, order);
                Assert.Equal(zone.FreePages, info.FreePages);
                int u = ContigPageInfo.UnusableFreeIndex(order, info);
                Assert.InRange(u, previous, 1000); // more of free memory is unusable the larger the request
                previous = u;
            }
            Assert.Equal(0, ContigPageInfo.UnusableFreeIndex(0, ContigPageInfo.Fill(zone, 0)));
        }
    }
}
