using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MmSim.Cache;

namespace MmSim.Bench;

/// <summary>
/// mmsim cache's speed. Model: 4 million accesses (half a sequential sweep over 8 MiB, half uniform over 1 MiB,
/// a quarter of them stores) into a 48 KiB 12-way LRU cache and into the default L1d/L1i/L2/L3 hierarchy; each
/// operation is one access, so "Mean" is ns per access. Parser: a 4-million-line lackey text in memory; each
/// operation is one byte, so "Mean" is ns per byte (MB/s = 1000 / Mean).
/// Run: dotnet run -c Release --project bench/MmSim.Bench -- --filter '*CacheBenchmarks*' --job short (figures: docs/cache.md)
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class CacheBenchmarks
{
    public const int Accesses = 4_000_000;
    private ulong[] _addresses = [];
    private bool[] _writes = [];
    private byte[] _lackey = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _addresses = new ulong[Accesses];
        _writes = new bool[Accesses];
        ulong sweep = 0;
        for (int i = 0; i < Accesses; i++)
        {
            _addresses[i] = (i & 1) == 0 ? (sweep += 8) % (8 << 20) : 0x4000_0000UL + (ulong)rng.Next(1 << 20);
            _writes[i] = rng.Next(4) == 0;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < Accesses; i++)
            sb.Append(_writes[i] ? " S " : " L ").Append(_addresses[i].ToString("x8")).Append(",8\n");
        _lackey = Encoding.ASCII.GetBytes(sb.ToString());
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public long SetAssociativeLru()
    {
        var c = new SetAssociativeCache(CacheConfig.FromSize(48 << 10, 12, 64, "bench"));
        for (int i = 0; i < _addresses.Length; i++) c.Access(_addresses[i], _writes[i]);
        return c.Misses;
    }

    [Benchmark(OperationsPerInvoke = Accesses)]
    public double DefaultHierarchy()
    {
        var h = new CacheHierarchy(HierarchyConfig.Default);
        for (int i = 0; i < _addresses.Length; i++) h.Access(_addresses[i], _writes[i]);
        return h.AmatCycles;
    }

    /// <summary>ns per byte of lackey text (set before the run: 4 M lines of ' L xxxxxxxx,8').</summary>
    [Benchmark(OperationsPerInvoke = 4_000_000 * 14)]
    public long LackeyParser()
    {
        long sum = 0;
        using var r = new LackeyRecordReader(new MemoryStream(_lackey, writable: false), "bench");
        while (r.Next(out var rec)) sum += (long)rec.Address;
        return sum;
    }
}
