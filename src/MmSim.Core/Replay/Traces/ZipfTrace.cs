using System.Buffers.Binary;

namespace MmSim.Replay.Traces;

/// <summary>Synthetic traces for benchmarks and examples: page ranks drawn from a Zipf distribution
/// (P(rank r) ∝ 1/r^alpha) with a seeded generator, each rank mapped to a scattered 63-bit page number.</summary>
public static class ZipfTrace
{
    public static long[] Generate(int requests, int keys, double alpha = 1.0, ulong seed = 1)
    {
        var cdf = new double[keys];
        double sum = 0;
        for (int r = 0; r < keys; r++)
        {
            sum += 1 / Math.Pow(r + 1, alpha);
            cdf[r] = sum;
        }
        var trace = new long[requests];
        ulong x = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
        for (int i = 0; i < requests; i++)
        {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
            double u = ((x * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53)) * sum;
            int lo = 0, hi = keys - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (cdf[mid] < u) lo = mid + 1; else hi = mid;
            }
            trace[i] = PageOf(lo);
        }
        return trace;
    }

    /// <summary>A bijective scramble of the rank (splitmix64's finaliser), shifted to 63 bits.</summary>
    public static long PageOf(int rank)
    {
        ulong z = (ulong)rank + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) >> 1);
    }

    /// <summary>Writes keys as libCacheSim oracleGeneral records (time = index, size 1, next access -1).</summary>
    public static void WriteOracleGeneral(string path, ReadOnlySpan<long> keys)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var rec = new byte[24 * 4096];
        int n = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            var r = rec.AsSpan(n * 24, 24);
            BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)i);
            BinaryPrimitives.WriteInt64LittleEndian(r[4..], keys[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(r[12..], 1);
            BinaryPrimitives.WriteInt64LittleEndian(r[16..], -1);
            if (++n == 4096) { fs.Write(rec); n = 0; }
        }
        fs.Write(rec, 0, n * 24);
    }

    /// <summary>Writes keys as plain text, one decimal page number per line.</summary>
    public static void WriteKeys(string path, ReadOnlySpan<long> keys)
    {
        using var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
        foreach (long k in keys) w.Write(k.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
    }
}
