using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

/// <summary>An access stream gives exactly the generator's own draws, in order, and leaves the random stream
/// where drawing them one by one leaves it, whether a worker thread draws ahead or the consumer draws.</summary>
public class AccessStreamTests
{
    [Theory]
    [InlineData(AccessPattern.Zipf, 300_000L, true)]   // longer than the ring: the worker refills it many times
    [InlineData(AccessPattern.Zipf, 300_000L, false)]
    [InlineData(AccessPattern.Random, 70_001L, true)]
    [InlineData(AccessPattern.Sequential, 5L, false)]  // shorter than a chunk
    [InlineData(AccessPattern.Zipf, 1L, true)]
    public void SameDrawsAndFinalStreamAsDrawingOneByOne(AccessPattern pattern, long count, bool parallel)
    {
        var gen = new AccessGenerator(pattern, pages: 100_000, count: count, writeRatio: 0.25, zipfAlpha: 0.9);
        var rng = new Pcg32(7, 3);
        var replayGen = gen;
        var replayRng = rng;
        var stream = new AccessStream(gen, rng, count, parallel);
        Assert.Equal(parallel, stream.Parallel);
        long mismatches = 0, writes = 0;
        for (long i = 0; i < count; i++)
        {
            long expected = replayGen.NextPage(ref replayRng, out bool expectedWrite);
            if (i % 3 == 0 && stream.TryPeek(1, out long peeked, out bool peekedWrite))
            {
                // A peek is the next access itself.
                Assert.Equal(expected, peeked);
                Assert.Equal(expectedWrite, peekedWrite);
            }
            long page = stream.Next(out bool write);
            if (page != expected || write != expectedWrite) mismatches++;
            if (write) writes++;
        }
        Assert.Equal(0, mismatches);
        var final = stream.FinalRng();
        Assert.Equal(replayRng.NextUInt(), final.NextUInt());
        Assert.Equal(replayRng.NextUInt(), final.NextUInt());
        if (count >= 1000) Assert.InRange(writes, count * 0.24, count * 0.26);
    }

    [Fact]
    public void PeekBeyondTheEndFindsNothing()
    {
        var gen = new AccessGenerator(AccessPattern.Sequential, pages: 10, count: 3, writeRatio: 1);
        var stream = new AccessStream(gen, new Pcg32(1, 1), 3, parallel: false);
        Assert.Equal(0, stream.Next(out bool w0));
        Assert.True(w0);
        Assert.True(stream.TryPeek(2, out long p2, out _));
        Assert.Equal(2, p2);
        Assert.False(stream.TryPeek(3, out _, out _));
        Assert.Equal(1, stream.Next(out _));
        Assert.Equal(2, stream.Next(out _));
        Assert.False(stream.TryPeek(1, out _, out _));
    }

    [Fact]
    public void LongStepsAreDrawnInParallelOnlyWithMoreThanOneCore()
    {
        var gen = new AccessGenerator(AccessPattern.Zipf, pages: 1000, count: AccessStream.ParallelThreshold, writeRatio: 0);
        Assert.Equal(Environment.ProcessorCount > 1, new AccessStream(gen, new Pcg32(1, 1), AccessStream.ParallelThreshold).Parallel);
        Assert.False(new AccessStream(gen, new Pcg32(1, 1), AccessStream.ParallelThreshold - 1).Parallel);
    }
}
