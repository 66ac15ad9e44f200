using MmSim.Translate;

namespace MmSim.Tests.Translate;

public class EffectiveAccessTimeTests
{
    [Theory]
    // Silberschatz (older editions): TLB 20 ns, memory 100 ns, one level: 80% -> 0.8*120 + 0.2*220 = 140
    [InlineData(0.80, 20, 100, 1, 140.0)]
    // 98% -> 0.98*120 + 0.02*220 = 117.6 + 4.4 = 122
    [InlineData(0.98, 20, 100, 1, 122.0)]
    // newer editions ignore the TLB time: memory 10 ns, 80% -> 0.8*10 + 0.2*20 = 12; 99% -> 10.1
    [InlineData(0.80, 0, 10, 1, 12.0)]
    [InlineData(0.99, 0, 10, 1, 10.1)]
    // x86-64 4 levels, TLB 1, memory 100, 99%: 0.99*101 + 0.01*(1 + 500) = 99.99 + 5.01 = 105
    [InlineData(0.99, 1, 100, 4, 105.0)]
    // LA57, every access misses: 1 + 6*100
    [InlineData(0.0, 1, 100, 5, 601.0)]
    public void Textbook_values(double hit, double tlb, double mem, int levels, double expected)
    {
        Assert.Equal(expected, EffectiveAccessTime.Compute(hit, tlb, mem, levels), 9);
    }

    [Fact]
    public void Overhead_and_bad_arguments()
    {
        Assert.Equal(0.4, EffectiveAccessTime.Overhead(0.8, 20, 100, 1), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectiveAccessTime.Compute(1.5, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectiveAccessTime.Compute(0.5, 1, 1, 0));
    }
}
