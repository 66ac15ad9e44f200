using CsCheck;
using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class UnitsTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("100B", 100L)]
    [InlineData("4KiB", 4096L)]
    [InlineData("4K", 4096L)]
    [InlineData("4KB", 4096L)]
    [InlineData("4kib", 4096L)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("64 MiB", 64L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2TiB", 2L << 40)]
    [InlineData("0.5KiB", 512L)]
    [InlineData("1_024", 1024L)]
    public void ParsesSizes(string text, long expected) =>
        Assert.Equal(expected, Units.ParseSize(text, "t.yaml", 3));

    [Fact]
    public void InvalidSizeNamesTheUnits()
    {
        var ex = Assert.Throws<InputException>(() => Units.ParseSize("12XB", "t.yaml", 7, 9));
        Assert.Equal("invalid size '12XB'; expected a number with a unit B, KiB, MiB, GiB or TiB", ex.Message);
        Assert.Equal(7, ex.Line);
        Assert.Equal(9, ex.Column);
        Assert.Equal("t.yaml:7:9: invalid size '12XB'; expected a number with a unit B, KiB, MiB, GiB or TiB", ex.Format());
    }

    [Theory]
    [InlineData("", "expected a number")]
    [InlineData("MiB", "expected a number")]
    [InlineData("1.5", "not a whole number of bytes")]
    [InlineData("0.3KiB", "not a whole number of bytes")]
    [InlineData("-1MiB", "a size cannot be negative")]
    [InlineData("9999999TiB", "below 2^63")]
    [InlineData("1 2MiB", "expected a number")]
    [InlineData("1.MiB", "expected a number")]
    public void RejectsBadSizes(string text, string why)
    {
        var ex = Assert.Throws<InputException>(() => Units.ParseSize(text, "t.yaml", 1));
        Assert.Contains(why, ex.Message);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("100ns", 100L)]
    [InlineData("5us", 5_000L)]
    [InlineData("5µs", 5_000L)]
    [InlineData("5ms", 5_000_000L)]
    [InlineData("1.5ms", 1_500_000L)]
    [InlineData("2s", 2_000_000_000L)]
    [InlineData("0.5 s", 500_000_000L)]
    public void ParsesTimes(string text, long expected) =>
        Assert.Equal(expected, Units.ParseTime(text, "t.yaml", 1));

    [Theory]
    [InlineData("5")]
    [InlineData("5m")]
    [InlineData("5min")]
    [InlineData("fast")]
    public void RejectsBadTimes(string text)
    {
        var ex = Assert.Throws<InputException>(() => Units.ParseTime(text, "t.yaml", 4));
        Assert.Equal($"invalid time '{text}'; expected a number with a unit ns, us, ms or s", ex.Message);
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void RejectsFractionalNanoseconds() =>
        Assert.Contains("not a whole number of nanoseconds",
            Assert.Throws<InputException>(() => Units.ParseTime("1.5ns", "t", 1)).Message);

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(100L, "100B")]
    [InlineData(4096L, "4KiB")]
    [InlineData(1536L, "1.5KiB")]
    [InlineData(64L << 20, "64MiB")]
    [InlineData(3L << 29, "1.5GiB")]
    [InlineData(1L << 40, "1TiB")]
    public void FormatsSizes(long bytes, string expected) => Assert.Equal(expected, Units.FormatSize(bytes));

    [Theory]
    [InlineData(0L, "0ns")]
    [InlineData(1_500L, "1.5us")]
    [InlineData(5_000_000L, "5ms")]
    [InlineData(2_000_000_000L, "2s")]
    public void FormatsTimes(long ns, string expected) => Assert.Equal(expected, Units.FormatTime(ns));

    [Fact]
    public void FormatThenParseRoundTripsWholeUnits() =>
        Gen.Select(Gen.Long[1, 1023], Gen.Int[0, 4]).Sample((count, shift) =>
        {
            long bytes = count << (10 * shift);
            return Units.ParseSize(Units.FormatSize(bytes), "t", 1) == bytes;
        });
}
