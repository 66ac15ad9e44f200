using MmSim;
using MmSim.Paging;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Paging;

/// <summary>The TLB's geometry (entries, ways, a second level), PCID, and the effective access time the report
/// derives from the counts. A first touch of a page is two first-level misses: the access that faults, then the
/// retried access that walks the new PTE into the TLB.</summary>
public class TlbConfigTests
{
    private static string Scenario(string machine, int pages, int passes) => $$"""
        seed: 1
        machine: { memory: 64MiB, {{machine}} }
        processes:
          - name: p
            steps:
              - alloc: { name: a, size: {{pages * 4}}KiB }
              - touch: { region: a, write: true }
              - repeat:
                  times: {{passes}}
                  steps:
                    - touch: { region: a }
        """;

    [Fact]
    public void A_working_set_that_fits_a_fully_associative_TLB_hits_after_the_first_touch()
    {
        var p = Sim.Report(Scenario("tlb_entries: 4, tlb_ways: 4", pages: 4, passes: 10)).Proc("p");
        Assert.Equal(40, p.TlbHits);
        Assert.Equal(8, p.TlbMisses); // 4 first touches × 2
        Assert.Null(p.TlbL2Hits);
    }

    [Fact]
    public void One_page_more_than_an_LRU_TLB_holds_misses_every_time()
    {
        // Cycling 5 pages through 4 LRU entries evicts each page just before it is used again.
        var p = Sim.Report(Scenario("tlb_entries: 4, tlb_ways: 4", pages: 5, passes: 10)).Proc("p");
        Assert.Equal(0, p.TlbHits);
        Assert.Equal(10 + 50, p.TlbMisses);
    }

    [Fact]
    public void Direct_mapped_only_the_colliding_pages_miss()
    {
        // 5 consecutive pages in 4 direct-mapped entries: the first and the fifth share a slot, 3 pages always hit.
        var p = Sim.Report(Scenario("tlb_entries: 4", pages: 5, passes: 10)).Proc("p");
        Assert.Equal(30, p.TlbHits);
        Assert.Equal(10 + 20, p.TlbMisses);
    }

    [Fact]
    public void A_second_level_catches_what_the_first_level_thrashes()
    {
        var p = Sim.Report(Scenario("tlb_entries: 4, tlb_ways: 4, tlb_l2_entries: 16, tlb_l2_ways: 4", pages: 8, passes: 10)).Proc("p");
        Assert.Equal(0, p.TlbHits);
        Assert.Equal(16 + 80, p.TlbMisses);
        Assert.Equal(80, p.TlbL2Hits);
        Assert.Equal(16, p.TlbL2Misses);
        // 80 × (2 × 1 + 100) + 16 × (2 × 1 + 5 × 100), over 96 lookups
        Assert.Equal(Math.Round((80 * 102.0 + 16 * 502.0) / 96, 3), p.EatNs);
    }

    [Fact]
    public void Eat_uses_the_measured_hit_ratio_and_the_configured_latencies()
    {
        var p = Sim.Report(Scenario("tlb_entries: 4, tlb_ways: 4, latency: { tlb: 2ns, access: 50ns }", pages: 4, passes: 10)).Proc("p");
        // 40 hits × (2 + 50) + 8 misses × (2 + 5 × 50), 48 lookups
        Assert.Equal(Math.Round((40 * 52.0 + 8 * 252.0) / 48, 3), p.EatNs);
    }

    private const string TwoProcesses = """
        seed: 1
        machine: { memory: 64MiB, cpus: 1, time_slice: 1us, tlb_entries: 8, tlb_ways: 8, PCID }
        processes:
          - name: a
            steps:
              - alloc: { name: r, size: 16KiB }
              - touch: { region: r, write: true }
              - repeat: { times: 50, steps: [ { touch: { region: r } } ] }
          - name: b
            steps:
              - alloc: { name: r, size: 16KiB }
              - touch: { region: r, write: true }
              - repeat: { times: 50, steps: [ { touch: { region: r } } ] }
        """;

    [Fact]
    public void With_PCID_a_context_switch_keeps_the_entries()
    {
        var r = Sim.Report(TwoProcesses.Replace("PCID", "pcid: true"));
        Assert.True(r.Machine.ContextSwitches > 2);
        foreach (var p in r.Processes)
        {
            Assert.Equal(8, p.TlbMisses);
            Assert.Equal(200, p.TlbHits);
        }
    }

    [Fact]
    public void Without_PCID_every_context_switch_flushes()
    {
        var r = Sim.Report(TwoProcesses.Replace("PCID", "pcid: false"));
        Assert.True(r.Machine.ContextSwitches > 2);
        foreach (var p in r.Processes)
        {
            Assert.True(p.TlbMisses > 8);
            Assert.Equal(208, p.TlbHits + p.TlbMisses);
        }
    }

    [Theory]
    [InlineData("tlb_ways: 3", "tlb_ways")]
    [InlineData("tlb_entries: 4, tlb_ways: 8", "tlb_ways")]
    [InlineData("tlb_entries: 48", "tlb_entries")]
    [InlineData("tlb_l2_ways: 4", "tlb_l2_ways")]
    [InlineData("tlb_l2_entries: 1000", "tlb_l2_entries")]
    [InlineData("pcid: maybe", "pcid")]
    public void Bad_TLB_settings_name_the_key_and_line(string machine, string key)
    {
        var e = Assert.Throws<InputException>(() => ScenarioLoader.LoadText($$"""
            seed: 1
            machine: { memory: 64MiB, {{machine}} }
            processes: [ { name: p, steps: [ { sleep: 1ms } ] } ]
            """, "t.yaml"));
        Assert.Contains(key, e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Set_associative_LRU_replaces_the_least_recently_used_way()
    {
        var tlb = new Tlb(4, 2); // 2 sets of 2 ways; even vpns go to set 0
        void Touch(long vpn) { ref var e = ref tlb.Lookup(vpn); if (e.Vpn != vpn) tlb.Fill(ref e, vpn, 0, 0, 0); }
        Touch(0); Touch(2); Touch(0); Touch(4); // 2 is the LRU of set 0: evicted
        Assert.Equal(0, tlb.Lookup(0).Vpn);
        Assert.Equal(4, tlb.Lookup(4).Vpn);
        Assert.NotEqual(2, tlb.Lookup(2).Vpn);
    }
}
