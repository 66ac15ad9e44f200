using MmSim.Segmentation;

namespace MmSim.Tests.Segmentation;

public class VariablePartitionsTests
{
    /// <summary>
    /// Memory of 1200: A 200 @0, B 50 @200, C 160 @250, D 50 @410, E 400 @460, F 40 @860 (the same under every
    /// policy: there is one hole, and next fit's rover is always at its start), then free A, C, E. Holes:
    /// 0(200), 250(160), 460(400), 900(300); next fit's rover is at 900, the end of F. Free: 1060.
    /// </summary>
    private static VariablePartitions Setup(FitPolicy policy)
    {
        var m = new VariablePartitions(1200, policy);
        foreach (var (n, s) in new[] { ("A", 200L), ("B", 50L), ("C", 160L), ("D", 50L), ("E", 400L), ("F", 40L) })
            Assert.NotNull(m.Allocate(n, s));
        Assert.Equal([0L, 200, 250, 410, 460, 860], m.Partitions.Select(p => p.Base));
        m.Free("A");
        m.Free("C");
        m.Free("E");
        Assert.Equal([new Hole(0, 200), new Hole(250, 160), new Hole(460, 400), new Hole(900, 300)], m.Holes);
        return m;
    }

    // X = 150 goes to a different hole under each policy:
    //   first fit: 0 (the first hole >= 150)           -> holes 150(50), 250(160), 460(400), 900(300)
    //   next fit:  900 (first hole from the rover)      -> holes 0(200), 250(160), 460(400), 1050(150)
    //   best fit:  250 (160 is the smallest >= 150)     -> holes 0(200), 400(10), 460(400), 900(300)
    //   worst fit: 460 (400 is the largest)             -> holes 0(200), 250(160), 610(250), 900(300)
    [Theory]
    [InlineData(FitPolicy.FirstFit, 0, 400)]
    [InlineData(FitPolicy.NextFit, 900, 400)]
    [InlineData(FitPolicy.BestFit, 250, 400)]
    [InlineData(FitPolicy.WorstFit, 460, 300)]
    public void Each_policy_places_the_same_request_differently(FitPolicy policy, long expectedBase, long largestHole)
    {
        var m = Setup(policy);
        Assert.Equal(expectedBase, m.Allocate("X", 150));
        Assert.Equal(new FragmentationStats(910, largestHole, 4), m.Fragmentation);
    }

    // Then Y = 350: first fit, next fit (rover 1050: 1050(150) too small, wraps to 0, 250, then 460) and best
    // fit all place it at 460; worst fit has split the 400 hole and fails although 910 bytes are free.
    [Theory]
    [InlineData(FitPolicy.FirstFit, 460L)]
    [InlineData(FitPolicy.NextFit, 460L)]
    [InlineData(FitPolicy.BestFit, 460L)]
    [InlineData(FitPolicy.WorstFit, null)]
    public void Worst_fit_then_fails_from_external_fragmentation(FitPolicy policy, long? expectedBase)
    {
        var m = Setup(policy);
        m.Allocate("X", 150);
        Assert.Equal(expectedBase, m.Allocate("Y", 350));
    }

    [Fact]
    public void Compaction_leaves_one_hole_and_the_request_fits()
    {
        var m = Setup(FitPolicy.WorstFit);
        m.Allocate("X", 150);
        Assert.Null(m.Allocate("Y", 350));
        // B 50 @200 -> 0, D 50 @410 -> 50, X 150 @460 -> 100, F 40 @860 -> 250: every partition moves, 290 bytes
        Assert.Equal(290, m.Compact());
        Assert.Equal([("B", 0L), ("D", 50L), ("X", 100L), ("F", 250L)], m.Partitions.Select(p => (p.Name, p.Base)));
        Assert.Equal(new FragmentationStats(910, 910, 1), m.Fragmentation);
        Assert.Equal(290, m.Allocate("Y", 350));
    }

    [Fact]
    public void Freeing_merges_neighbouring_holes()
    {
        var m = Setup(FitPolicy.FirstFit);
        m.Free("B"); // 0(200) + B's 50 + 250(160) -> one hole of 410
        Assert.Equal(new Hole(0, 410), m.Holes[0]);
        Assert.Equal(new FragmentationStats(1110, 410, 3), m.Fragmentation);
    }
}
