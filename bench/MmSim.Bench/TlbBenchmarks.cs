using BenchmarkDotNet.Attributes;
using MmSim.Paging;
using MmSim.Workloads;

namespace MmSim.Bench;

/// <summary>
/// The TLB alone (<see cref="Tlb.Lookup"/>, and <see cref="Tlb.Fill"/> on a miss), without the page walk behind it:
/// 64 entries direct-mapped or 4-way, over 32 hot pages (all hits) or random pages out of 16384 (mostly misses).
/// One operation = one lookup.
/// </summary>
public class TlbBenchmarks
{
    private const int Lookups = 1 << 20;
    private long[] _hot = null!, _random = null!;
    private Tlb _tlb = null!;

    [Params(1, 4)]
    public int Ways { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tlb = new Tlb(64, Ways);
        _hot = new long[Lookups];
        _random = new long[Lookups];
        var rng = new Pcg32(1, 1);
        for (int i = 0; i < Lookups; i++)
        {
            _hot[i] = 1000 + (i & 31);
            _random[i] = rng.NextBounded(16384);
        }
    }

    [Benchmark(OperationsPerInvoke = Lookups, Description = "TLB lookup, hot")]
    public int Hot() => Run(_hot);

    [Benchmark(OperationsPerInvoke = Lookups, Description = "TLB lookup+fill, random")]
    public int Random() => Run(_random);

    private int Run(long[] vpns)
    {
        var tlb = _tlb;
        int misses = 0;
        foreach (long v in vpns)
        {
            ref var e = ref tlb.Lookup(v);
            if (e.Vpn != v) { tlb.Fill(ref e, v, (ulong)v << 12, 0, 0); misses++; }
        }
        return misses;
    }
}
