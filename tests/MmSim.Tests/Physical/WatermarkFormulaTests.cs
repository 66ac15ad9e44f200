using CsCheck;
using MmSim.Physical;

namespace MmSim.Tests.Physical;

/// <summary>The pure kernel formulas, checked on the reference machine of linux-mm-reference.md §13 and the §2.1 examples.</summary>
public class WatermarkFormulaTests
{
    // §13: managed DMA 3840, DMA32 772915, Normal 131072, Movable 0; min_free_kbytes 67584; wsf 10.
    private static readonly long[] RefManaged = { 3840, 772915, 131072, 0 };

    [Fact]
    public void Setup_ReproducesReferenceZoneinfo()
    {
        var w = Watermarks.Setup(RefManaged, 67584, 10);
        Assert.Equal(new long[] { 71, 14385, 2439, 32 }, w.Min);
        Assert.Equal(new long[] { 88, 17981, 3048, 32 }, w.Low);
        Assert.Equal(new long[] { 105, 21577, 3657, 32 }, w.High);
        Assert.Equal(new long[] { 122, 25173, 4266, 32 }, w.Promo);
    }

    [Fact]
    public void LowmemReserve_ReproducesReferenceProtection()
    {
        var r = Watermarks.LowmemReserve(RefManaged, new[] { 256, 256, 32, 0 });
        Assert.Equal(new long[] { 0, 3019, 3531, 3531 }, r[0]);
        Assert.Equal(new long[] { 0, 0, 512, 512 }, r[1]);
        Assert.Equal(new long[] { 0, 0, 0, 0 }, r[2]);
        Assert.Equal(new long[] { 0, 0, 0, 0 }, r[3]);
    }

    [Fact]
    public void LowmemReserve_ZeroRatioOrEmptyZoneClears()
    {
        var r = Watermarks.LowmemReserve(new long[] { 0, 1000, 5000, 0 }, new[] { 256, 0, 32, 0 });
        Assert.Equal(new long[] { 0, 0, 0, 0 }, r[0]); // DMA has no managed pages
        Assert.Equal(new long[] { 0, 0, 0, 0 }, r[1]); // ratio 0
    }

    [Fact]
    public void TotalReservePages_Reference()
    {
        var w = Watermarks.Setup(RefManaged, 67584, 10);
        var r = Watermarks.LowmemReserve(RefManaged, new[] { 256, 256, 32, 0 });
        // DMA 3531+105, DMA32 512+21577, Normal 0+3657, Movable min(32, managed 0) = 0.
        Assert.Equal(3636 + 22089 + 3657, Watermarks.TotalReservePages(RefManaged, w.High, r));
    }

    [Theory]
    [InlineData(1L << 18, 4096)]     // 1 GiB of lowmem
    [InlineData(1L << 22, 16384)]    // 16 GiB
    [InlineData(1L << 24, 32768)]    // 64 GiB
    [InlineData(100, 128)]           // clamped low
    [InlineData(1L << 33, 262144)]   // 32 TiB: clamped high
    public void CalculateMinFreeKbytes_Examples(long lowmemPages, long expected)
        => Assert.Equal(expected, Watermarks.CalculateMinFreeKbytes(lowmemPages));

    [Fact]
    public void RecommendedMinFreeKbytes_ReferenceIs67584()
    {
        var w = Watermarks.Setup(RefManaged, 67584, 10);
        long buffer = Watermarks.NrFreeBufferPages(RefManaged, w.High);
        Assert.Equal(3735 + 751338 + 127415, buffer);
        Assert.Equal(67584, Watermarks.RecommendedMinFreeKbytes(3, 512, buffer));
    }

    [Fact]
    public void RecommendedMinFreeKbytes_CappedAtFivePercentOfLowmem()
        => Assert.Equal(100000 / 20 * 4, Watermarks.RecommendedMinFreeKbytes(3, 512, 100000));

    [Fact]
    public void IntSqrt_SmallValues()
    {
        ulong[] expected = { 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3 };
        for (ulong x = 0; x < (ulong)expected.Length; x++) Assert.Equal(expected[x], Watermarks.IntSqrt(x));
        Assert.Equal(4294967295UL, Watermarks.IntSqrt(ulong.MaxValue));
    }

    [Fact]
    public void IntSqrt_IsFloorSqrt()
        => Gen.ULong.Sample(x =>
        {
            ulong y = Watermarks.IntSqrt(x);
            return (UInt128)y * y <= x && ((UInt128)y + 1) * ((UInt128)y + 1) > x;
        }, iter: 10000);

    [Fact]
    public void MultFrac_MatchesWideMultiplication()
        => Assert.Equal(772, Watermarks.MultFrac(772915, 10, 10000));
}
