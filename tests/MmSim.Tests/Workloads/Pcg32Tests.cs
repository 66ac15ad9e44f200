using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class Pcg32Tests
{
    [Fact]
    public void MatchesTheReferenceDemo()
    {
        // pcg32-demo.c of pcg-c-basic: pcg32_srandom_r(&rng, 42u, 54u)
        var rng = new Pcg32(42, 54);
        uint[] expected = [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e];
        foreach (uint e in expected) Assert.Equal(e, rng.NextUInt());
    }

    [Fact]
    public void StreamsDiffer()
    {
        var a = new Pcg32(42, 1000);
        var b = new Pcg32(42, 1001);
        Assert.NotEqual(a.NextUInt(), b.NextUInt());
    }

    [Fact]
    public void BoundedStaysInRangeAndIsRoughlyUniform()
    {
        var rng = new Pcg32(1, 2);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++) counts[rng.NextBounded(10)]++;
        foreach (int c in counts) Assert.InRange(c, 9_500, 10_500);
    }

    [Fact]
    public void BoundedIsLemiresMethod()
    {
        // Replays the documented rule on a copy of the generator.
        var rng = new Pcg32(7, 3);
        var copy = rng;
        for (int i = 0; i < 1000; i++)
        {
            uint n = (uint)(i * 7919 + 1);
            ulong m = (ulong)copy.NextUInt() * n;
            uint low = (uint)m;
            if (low < n)
            {
                uint t = (0u - n) % n;
                while (low < t)
                {
                    m = (ulong)copy.NextUInt() * n;
                    low = (uint)m;
                }
            }
            Assert.Equal((uint)(m >> 32), rng.NextBounded(n));
        }
    }

    [Fact]
    public void BoundOfOneIsZero()
    {
        var rng = new Pcg32(5, 5);
        for (int i = 0; i < 100; i++) Assert.Equal(0u, rng.NextBounded(1));
    }

    [Fact]
    public void NextDoubleIsTheNextWordOver2To32()
    {
        var a = new Pcg32(9, 9);
        var b = a;
        for (int i = 0; i < 100; i++)
        {
            double d = a.NextDouble();
            Assert.Equal(b.NextUInt() / 4294967296.0, d);
            Assert.InRange(d, 0.0, 0.9999999998);
        }
    }
}
