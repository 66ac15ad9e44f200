using BenchmarkDotNet.Attributes;
using MmSim.Machine;
using MmSim.Paging;
using MmSim.Workloads;

namespace MmSim.Bench;

/// <summary>
/// Address translation through the MMU (<see cref="Mmu.Access"/>): TLB hits, and page walks after a miss, for
/// each TLB geometry (direct-mapped as by default, 4-way LRU, 4-way with a second level) and both x86-64 paging
/// modes. One operation = one translated access. Goal (issue 5): ≥ 50 M translations/s on one core.
/// </summary>
public class TranslateBenchmarks
{
    private const int Accesses = 1 << 20;
    private SimMachine _m = null!;
    private ulong[] _hot = null!;
    private ulong[] _random = null!;

    [Params("direct", "4-way", "4-way+L2")]
    public string Tlb { get; set; } = "direct";

    [Params("x86_64", "x86_64_la57")]
    public string Translation { get; set; } = "x86_64";

    [GlobalSetup]
    public void Setup()
    {
        string tlb = Tlb switch
        {
            "direct" => "tlb_entries: 64",
            "4-way" => "tlb_entries: 64, tlb_ways: 4",
            _ => "tlb_entries: 64, tlb_ways: 4, tlb_l2_entries: 1024, tlb_l2_ways: 8",
        };
        _m = new SimMachine(ScenarioLoader.LoadText($$"""
            machine: { memory: 1GiB, translation: {{Translation}}, {{tlb}} }
            processes:
              - name: bench
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - touch: { region: heap, write: true }
            """, "bench"));
        _m.Run();
        ulong start = _m.Tasks[0].Mm.Vmas[0].Start;
        _hot = new ulong[Accesses];
        _random = new ulong[Accesses];
        var rng = new Pcg32(1, 1);
        for (int i = 0; i < Accesses; i++)
        {
            _hot[i] = start + (ulong)(i & 31) * 4096 + (ulong)(i & 7) * 64;     // 32 pages: fits every TLB
            _random[i] = start + (ulong)rng.NextBounded(16384) * 4096;           // 16384 pages: mostly walks
        }
    }

    [Benchmark(OperationsPerInvoke = Accesses, Description = "TLB hit")]
    public int TlbHit() => Run(_hot);

    [Benchmark(OperationsPerInvoke = Accesses, Description = "page walk (random over 64 MiB)")]
    public int PageWalk() => Run(_random);

    private int Run(ulong[] addresses)
    {
        var mmu = _m.Mmu;
        var mm = _m.Tasks[0].Mm;
        int sum = 0;
        for (int i = 0; i < addresses.Length; i++) sum += mmu.Access(mm, addresses[i], AccessKind.Read, 0);
        return sum;
    }
}
