namespace MmSim.Workloads;

/// <summary>
/// Zipf's law over ranks 1..n: P(k) = k^-alpha / H(n, alpha). Sampled by rejection-inversion (W. Hörmann and
/// G. Derflinger, "Rejection-inversion to generate variates from monotone discrete distributions", ACM TOMACS
/// 6(3), 1996), exactly as Apache Commons RNG's <c>RejectionInversionZipfSampler</c>: O(1) memory and expected
/// O(1) time (under 1.1 draws per sample on average). With q = 1 - alpha:
/// <code>
/// h(x)             = exp(-alpha * log x)                      (x^-alpha)
/// H(x)             = helper2(q * log x) * log x               ((x^q - 1) / q, or log x when alpha = 1)
/// Hinv(y)          = exp(helper1(t) * y), t = max(-1, y * q)  (the inverse of H)
/// helper1(t)       = |t| &gt; 1e-8 ? log1p(t) / t : 1.0 - t * (0.5 - t * (1.0 / 3.0 - 0.25 * t))
/// helper2(t)       = |t| &gt; 1e-8 ? expm1(t) / t : 1.0 + t * 0.5 * (1.0 + t * (1.0 / 3.0) * (1.0 + 0.25 * t))
/// setup:  hX1 = H(1.5) - 1;  hN = H(n + 0.5);  s = 2 - Hinv(H(2.5) - h(2))
/// sample: loop { u = hN + NextDouble() * (hX1 - hN); x = Hinv(u); k = clamp((long)(x + 0.5), 1, n);
///                if (k - x &lt;= s || u &gt;= H(k + 0.5) - h(k)) return k; }
/// </code>
/// alpha = 1 needs no special case: q = 0 makes helper1 and helper2 return 1 (H = log, Hinv = exp).
/// log1p and expm1 are computed from log and exp only (<see cref="Log1P"/>, <see cref="ExpM1"/>) so a C port
/// calling the same libm gets the same ranks.
/// </summary>
public readonly struct ZipfSampler
{
    private readonly long _n;
    private readonly double _alpha;
    private readonly double _hIntegralX1;
    private readonly double _hIntegralN;
    private readonly double _s;

    public ZipfSampler(long n, double alpha)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), "need at least one item");
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), "must be positive");
        _n = n;
        _alpha = alpha;
        _hIntegralX1 = HIntegral(1.5, alpha) - 1.0;
        _hIntegralN = HIntegral(n + 0.5, alpha);
        _s = 2.0 - HIntegralInverse(HIntegral(2.5, alpha) - H(2.0, alpha), alpha);
    }

    public long Count => _n;
    public double Alpha => _alpha;

    /// <summary>A rank in 1..n; rank 1 is the most frequent.</summary>
    public long Sample(ref Pcg32 rng)
    {
        while (true)
        {
            double u = _hIntegralN + rng.NextDouble() * (_hIntegralX1 - _hIntegralN);
            double x = HIntegralInverse(u, _alpha);
            long k = (long)(x + 0.5);
            if (k < 1) k = 1;
            else if (k > _n) k = _n;
            if (k - x <= _s || u >= HIntegral(k + 0.5, _alpha) - H(k, _alpha)) return k;
        }
    }

    /// <summary>The exact probability of rank k (for tests and reports): k^-alpha / sum of i^-alpha.</summary>
    public static double Probability(long k, long n, double alpha)
    {
        double sum = 0;
        for (long i = n; i >= 1; i--) sum += Math.Pow(i, -alpha);
        return Math.Pow(k, -alpha) / sum;
    }

    private static double H(double x, double alpha) => Math.Exp(-alpha * Math.Log(x));

    private static double HIntegral(double x, double alpha)
    {
        double logX = Math.Log(x);
        return Helper2((1.0 - alpha) * logX) * logX;
    }

    private static double HIntegralInverse(double x, double alpha)
    {
        double t = x * (1.0 - alpha);
        if (t < -1.0) t = -1.0; // limits the value to the domain of log1p
        return Math.Exp(Helper1(t) * x);
    }

    /// <summary>log1p(x) / x, continuous at 0.</summary>
    private static double Helper1(double x) =>
        Math.Abs(x) > 1e-8 ? Log1P(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));

    /// <summary>expm1(x) / x, continuous at 0.</summary>
    private static double Helper2(double x) =>
        Math.Abs(x) > 1e-8 ? ExpM1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));

    /// <summary>log(1 + x) accurate near 0 (D. Goldberg's method): u = 1 + x; u == 1 ? x : log(u) * x / (u - 1).</summary>
    internal static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) - 1 accurate near 0 (W. Kahan's method): u = exp(x); u == 1 ? x : u - 1 == -1 ? -1 :
    /// (u - 1) * x / log(u).</summary>
    internal static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }
}
