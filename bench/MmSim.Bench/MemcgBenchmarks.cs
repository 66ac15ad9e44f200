using BenchmarkDotNet.Attributes;
using MmSim.Machine;
using MmSim.Workloads;

namespace MmSim.Bench;

/// <summary>
/// The cost of memcg charging on the fault path (memcg issue goal: at most 10 % of first-touch fault throughput
/// with three levels of cgroups). The same first-touch run of 1 GiB (262144 faults) with the process in the root
/// cgroup (no cgroups: no charging at all), and in a/b/c, three levels with limits that are not reached.
/// </summary>
[MemoryDiagnoser]
public class MemcgBenchmarks
{
    private const int Pages = 1 << 18;
    private SimMachine _m = null!;

    private const string Steps = """
            steps:
              - alloc: { name: heap, size: 1GiB }
              - touch: { region: heap, write: true }
        """;

    [IterationSetup(Target = nameof(NoCgroup))]
    public void SetupRoot() => _m = new SimMachine(ScenarioLoader.LoadText($"""
        machine: {"{"} memory: 2GiB {"}"}
        processes:
          - name: bench
        {Steps}
        """, "bench"));

    [IterationSetup(Target = nameof(ThreeLevels))]
    public void SetupNested() => _m = new SimMachine(ScenarioLoader.LoadText($"""
        machine: {"{"} memory: 2GiB {"}"}
        cgroups:
          - {"{"} path: a, memory.max: 1900MiB, memory.low: 64MiB {"}"}
          - {"{"} path: a/b, memory.max: 1800MiB, memory.high: 1700MiB {"}"}
          - {"{"} path: a/b/c, memory.max: 1600MiB {"}"}
        processes:
          - name: bench
            cgroup: a/b/c
        {Steps}
        """, "bench"));

    [Benchmark(Baseline = true, OperationsPerInvoke = Pages, Description = "first-touch fault, root cgroup")]
    public long NoCgroup()
    {
        _m.Run();
        return _m.Tasks[0].MinFlt;
    }

    [Benchmark(OperationsPerInvoke = Pages, Description = "first-touch fault, charged to a/b/c")]
    public long ThreeLevels()
    {
        _m.Run();
        return _m.Tasks[0].MinFlt;
    }
}
