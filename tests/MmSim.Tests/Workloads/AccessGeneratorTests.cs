using System.Runtime.CompilerServices;
using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class AccessGeneratorTests
{
    [Fact]
    public void SequentialWrapsAndDrawsNothing()
    {
        var rng = new Pcg32(42, 1000);
        var before = rng;
        var gen = new AccessGenerator(AccessPattern.Sequential, pages: 4, count: 10, writeRatio: 0);
        var pages = new List<long>();
        while (gen.HasNext) pages.Add(gen.NextPage(ref rng, out bool write) + (write ? 100 : 0));
        Assert.Equal([0L, 1, 2, 3, 0, 1, 2, 3, 0, 1], pages);
        Assert.Equal(before.NextUInt(), rng.NextUInt());
    }

    [Fact]
    public void RandomIsNextBoundedThenTheWriteDraw()
    {
        var rng = new Pcg32(42, 1000);
        var replay = rng;
        var gen = new AccessGenerator(AccessPattern.Random, pages: 1000, count: 500, writeRatio: 0.3);
        int writes = 0;
        for (int i = 0; i < 500; i++)
        {
            long page = gen.NextPage(ref rng, out bool write);
            Assert.Equal(replay.NextBounded(1000), (uint)page);
            Assert.Equal(replay.NextDouble() < 0.3, write);
            if (write) writes++;
        }
        Assert.False(gen.HasNext);
        Assert.InRange(writes, 100, 200);
    }

    [Fact]
    public void ZipfIsRankMinusOne()
    {
        var rng = new Pcg32(1, 2);
        var replay = rng;
        var sampler = new ZipfSampler(50, 1.0);
        var gen = new AccessGenerator(AccessPattern.Zipf, pages: 50, count: 200, writeRatio: 1.0, zipfAlpha: 1.0);
        for (int i = 0; i < 200; i++)
        {
            long page = gen.NextPage(ref rng, out bool write);
            Assert.Equal(sampler.Sample(ref replay) - 1, page);
            Assert.True(write); // ratio 1: every access writes, without a draw
        }
    }

    [Fact]
    public void FromAStep()
    {
        var step = new AccessStep { Region = "h", Pattern = AccessPattern.Random, Count = 3, WriteRatio = 0.5 };
        var gen = new AccessGenerator(step, pages: 8);
        Assert.Equal(3, gen.Remaining);
        var rng = new Pcg32(42, 1000);
        gen.NextPage(ref rng, out _);
        Assert.Equal(2, gen.Remaining);
    }

    [Fact]
    public void DoesNotAllocate()
    {
        // A first full pass JIT-compiles and tiers up everything on the way (on-stack replacement of a loop
        // compiles on this thread and once allocated ~1 KB here under load); the second pass is the one measured.
        Assert.True(DrawAll(new Pcg32(7, 1)) > 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = DrawAll(new Pcg32(42, 1000));
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.True(sum > 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled optimised at once: no tiering, no OSR
    private static long DrawAll(Pcg32 rng)
    {
        var gen = new AccessGenerator(AccessPattern.Zipf, pages: 16384, count: 100_000, writeRatio: 0.3);
        long sum = 0;
        while (gen.HasNext) sum += gen.NextPage(ref rng, out _);
        return sum;
    }
}
