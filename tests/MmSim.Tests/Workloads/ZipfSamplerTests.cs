using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class ZipfSamplerTests
{
    [Theory]
    [InlineData(10L, 1.0)]
    [InlineData(10L, 0.5)]
    [InlineData(10L, 2.0)]
    [InlineData(1000L, 1.2)]
    public void FrequenciesMatchTheExactProbabilities(long n, double alpha)
    {
        const int draws = 1_000_000;
        var sampler = new ZipfSampler(n, alpha);
        var rng = new Pcg32(42, 7);
        var counts = new long[n + 1];
        for (int i = 0; i < draws; i++)
        {
            long k = sampler.Sample(ref rng);
            Assert.InRange(k, 1, n);
            counts[k]++;
        }
        for (long k = 1; k <= Math.Min(n, 10); k++)
        {
            double p = ZipfSampler.Probability(k, n, alpha);
            double sigma = Math.Sqrt(p * (1 - p) / draws);
            double observed = counts[k] / (double)draws;
            Assert.True(Math.Abs(observed - p) < 5 * sigma + 1e-4,
                $"rank {k}: observed {observed:F5}, expected {p:F5}");
        }
    }

    [Fact]
    public void SingleItemAlwaysRankOne()
    {
        var sampler = new ZipfSampler(1, 1.0);
        var rng = new Pcg32(1, 1);
        for (int i = 0; i < 100; i++) Assert.Equal(1, sampler.Sample(ref rng));
    }

    [Fact]
    public void Deterministic()
    {
        var s = new ZipfSampler(100, 1.0);
        var a = new Pcg32(3, 4);
        var b = new Pcg32(3, 4);
        for (int i = 0; i < 1000; i++) Assert.Equal(s.Sample(ref a), s.Sample(ref b));
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(1e-3)]
    [InlineData(0.7)]
    [InlineData(-0.5)]
    [InlineData(5.0)]
    public void Log1PAndExpM1AreAccurate(double x)
    {
        Assert.Equal(RefLog1P(x), ZipfSampler.Log1P(x), 4e-15 * Math.Max(1e-12, Math.Abs(RefLog1P(x))));
        Assert.Equal(RefExpM1(x), ZipfSampler.ExpM1(x), 4e-15 * Math.Max(1e-12, Math.Abs(RefExpM1(x))));
    }

    /// <summary>Taylor series (to x^9) for small x, the plain formula otherwise.</summary>
    private static double RefLog1P(double x) =>
        Math.Abs(x) < 1e-2 ? Series(x, n => (n % 2 == 1 ? 1.0 : -1.0) / n) : Math.Log(1 + x);

    private static double RefExpM1(double x) =>
        Math.Abs(x) < 1e-2 ? Series(x, n => 1.0 / Factorial(n)) : Math.Exp(x) - 1;

    private static double Series(double x, Func<int, double> coefficient)
    {
        double sum = 0;
        for (int n = 9; n >= 1; n--) sum += coefficient(n) * Math.Pow(x, n);
        return sum;
    }

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
}
