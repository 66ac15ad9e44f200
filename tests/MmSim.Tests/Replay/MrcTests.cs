using MmSim.Replay;
using static MmSim.Tests.Replay.ReplayTestData;

namespace MmSim.Tests.Replay;

public class MrcTests
{
    [Fact]
    public void OnePassCurveEqualsLruReplayAtEverySize()
    {
        var t = CloudPhysicsIO;
        var curve = MissRatioCurve.Exact(t.Keys);
        // every size from 1 to 300, then every 499th up to past the distinct count (48,974)
        var sizes = Enumerable.Range(1, 300).Concat(Enumerable.Range(1, 100).Select(i => 300 + i * 499)).ToList();
        var report = ReplayRunner.Run(t, ["lru"], sizes, jobs: 2);
        foreach (var r in report.Results)
            Assert.Equal(r.Hits, curve.Hits(r.Frames));
    }

    [Fact]
    public void OnePassCurveOnTheTextbookString()
    {
        var t = Refs(7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1);
        var curve = MissRatioCurve.Exact(t.Keys);
        for (int f = 1; f <= 8; f++)
            Assert.Equal(RunPolicy("lru", f, t).Hits, curve.Hits(f));
        Assert.Equal(8, curve.Hits(3));
    }

    [Fact]
    public void ShardsErrorOnCloudPhysicsIsSmall()
    {
        var t = CloudPhysicsIO;
        var exact = MissRatioCurve.Exact(t.Keys);
        var sampled = MissRatioCurve.Shards(t.Keys, 0.1);
        double worst = 0;
        for (int f = 1000; f <= 50000; f += 1000)
            worst = Math.Max(worst, Math.Abs(exact.MissRatio(f) - sampled.MissRatio(f)));
        Assert.True(worst < 0.05, $"max error {worst}");
        Assert.NotNull(sampled.ErrorEstimate);
    }
}
