using BenchmarkDotNet.Attributes;
using MmSim.Machine;
using MmSim.Paging;
using MmSim.Workloads;

namespace MmSim.Bench;

/// <summary>
/// The simulator's hot paths, per simulated access: a TLB hit, a page-table walk (TLB miss, page present),
/// and the first-touch fault path (a whole scenario run, scheduler and step interpreter included).
/// Goals (issue 2): ≥ 20 M/s fault-free, ≥ 5 M/s first touch.
/// </summary>
[MemoryDiagnoser]
public class AccessPathBenchmarks
{
    private const int Accesses = 1 << 20;
    private const int FirstTouchPages = 1 << 18; // 1 GiB of 4 KiB pages
    private SimMachine _warm = null!;
    private ulong[] _hot = null!;
    private ulong[] _random = null!;
    private SimMachine _cold = null!;

    [GlobalSetup]
    public void Setup()
    {
        _warm = new SimMachine(ScenarioLoader.LoadText("""
            machine: { memory: 1GiB }
            processes:
              - name: bench
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - touch: { region: heap, write: true }
            """, "bench"));
        _warm.Run();
        ulong start = _warm.Tasks[0].Mm.Vmas[0].Start;
        _hot = new ulong[Accesses];
        _random = new ulong[Accesses];
        var rng = new Pcg32(1, 1);
        for (int i = 0; i < Accesses; i++)
        {
            _hot[i] = start + (ulong)(i & 31) * 4096 + (ulong)(i & 7) * 64;
            _random[i] = start + (ulong)rng.NextBounded(16384) * 4096;
        }
    }

    [Benchmark(OperationsPerInvoke = Accesses, Description = "TLB hit (read)")]
    public int TlbHit() => Run(_hot, AccessKind.Read);

    [Benchmark(OperationsPerInvoke = Accesses, Description = "page walk (random 64 MiB, write)")]
    public int PageWalk() => Run(_random, AccessKind.Write);

    private int Run(ulong[] addresses, AccessKind kind)
    {
        var mmu = _warm.Mmu;
        var mm = _warm.Tasks[0].Mm;
        int sum = 0;
        for (int i = 0; i < addresses.Length; i++) sum += mmu.Access(mm, addresses[i], kind, i);
        return sum;
    }

    [IterationSetup(Target = nameof(FirstTouch))]
    public void ColdSetup() => _cold = new SimMachine(ScenarioLoader.LoadText("""
        machine: { memory: 2GiB }
        processes:
          - name: bench
            steps:
              - alloc: { name: heap, size: 1GiB }
              - touch: { region: heap, write: true }
        """, "bench"));

    [Benchmark(OperationsPerInvoke = FirstTouchPages, Description = "first-touch fault (scenario run)")]
    public long FirstTouch()
    {
        _cold.Run();
        return _cold.Tasks[0].MinFlt;
    }
}
