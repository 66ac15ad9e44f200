using MmSim.Paging;

namespace MmSim.Tests.Paging;

/// <summary>The layout's shortcut for the PTE's index is the general per-level index at the last level.</summary>
public class PagingLayoutTests
{
    [Theory]
    [InlineData(4096, false, 4)]
    [InlineData(4096, true, 5)]
    [InlineData(16384, false, 4)]
    [InlineData(65536, false, 3)]
    public void Leaf_index_is_the_last_levels_index(int pageSize, bool la57, int levels)
    {
        var l = new PagingLayout(pageSize, la57);
        Assert.Equal(levels, l.Levels);
        foreach (ulong a in new ulong[] { 0, 0x1000, 0x7fff_ffff_f000, 0x1234_5678_9abc, 0x7f12_3456_7000 })
            Assert.Equal(l.Index(a, l.Levels - 1), l.LeafIndex(a));
        Assert.Equal(l.EntriesPerTable - 1, l.LeafIndex((ulong)(l.EntriesPerTable - 1) << l.PageShift));
    }
}
