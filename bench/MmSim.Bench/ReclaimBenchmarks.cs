using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MmSim.Machine;
using MmSim.Workloads;

namespace MmSim.Bench;

/// <summary>
/// The reclaim-heavy path (issue 4, goal: ≥ 5 M simulated accesses a second): bench/scenarios/reclaim-heavy.yaml
/// with fewer accesses — 2 GiB touched on a 1 GiB machine with swap, then Zipf accesses over it, so every few
/// accesses swap a page in and reclaim (kswapd, LRU scans, rmap, swap-out) runs all along. One operation is one
/// simulated access (the touch's 524288 included). The MemoryDiagnoser's figure is per access.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ReclaimBenchmarks
{
    private const int TouchPages = 1 << 19; // 2 GiB of 4 KiB pages
    private const int Accesses = 4_000_000;
    private SimMachine _m = null!;

    [IterationSetup]
    public void Setup() => _m = new SimMachine(ScenarioLoader.LoadText($$"""
        machine: { memory: 1GiB, swap: 2GiB }
        processes:
          - name: bench
            steps:
              - alloc: { name: heap, size: 2GiB }
              - touch: { region: heap, write: true }
              - access: { region: heap, pattern: zipf, zipf_alpha: 0.9, count: {{Accesses}}, write_ratio: 0.2 }
        """, "bench"));

    [Benchmark(OperationsPerInvoke = TouchPages + Accesses, Description = "reclaim-heavy access (scenario run)")]
    public long ReclaimHeavy()
    {
        _m.Run();
        return _m.Tasks[0].Accesses;
    }
}
