using MmSim.Machine;
using MmSim.Memcg;
using MmSim.Workloads;

namespace MmSim.Tests.Memcg;

/// <summary>The per-CPU charge stock (memcg_stock_pcp, mm/memcontrol.c 6.1): try_charge_memcg charges the counters
/// MEMCG_CHARGE_BATCH = 64 pages at a time and keeps the surplus on the CPU. Pages are charged directly through the
/// kernel's allocator on behalf of a chosen task and CPU, and the counters read after each step.</summary>
public class MemcgStockTests
{
    private const int Batch = 64;

    /// <summary>A 2-CPU machine: cgroups a and b (and a/c under a's limit), tasks pa, pa2 in a and pb in b.</summary>
    private static SimMachine Machine(string aLimits = "")
    {
        var m = new SimMachine(ScenarioLoader.LoadText($$"""
            machine: { memory: 64MiB, cpus: 2 }
            cgroups:
              - { path: a{{aLimits}} }
              - { path: b }
            processes:
              - { name: pa, cgroup: a, steps: [ { sleep: 1ms } ] }
              - { name: pa2, cgroup: a, steps: [ { sleep: 1ms } ] }
              - { name: pb, cgroup: b, steps: [ { sleep: 1ms } ] }
            """, "stock.yaml"));
        return m;
    }

    private static MemCgroup Cg(SimMachine m, string path) => m.Kernel.Memcg!.ByPath[path];

    /// <summary>Charges <paramref name="n"/> pages for task <paramref name="task"/> running on <paramref name="cpu"/>.</summary>
    private static void Charge(SimMachine m, int task, int cpu, int n)
    {
        m.Kernel.Current = m.Tasks[task];
        m.Kernel.CurrentCpu = cpu;
        for (int i = 0; i < n; i++) Assert.True(m.Kernel.AllocUserPage() >= 0);
    }

    [Fact]
    public void A_fresh_cgroups_first_page_charges_a_whole_batch()
    {
        var m = Machine();
        Charge(m, 0, 0, 1);
        var a = Cg(m, "a");
        Assert.Equal(262144L, a.Memory.Usage * m.Kernel.PageSize); // memory.current 256 KiB: 1 page + 63 in the stock
        Assert.Equal((a, Batch - 1), m.Kernel.Memcg!.Stock(0));
        Assert.Equal((null, 0), m.Kernel.Memcg!.Stock(1));
        m.Kernel.Memcg!.CheckInvariants(); // counters = pages charged + the stocks' pages
    }

    [Fact]
    public void Sixty_four_charges_walk_the_counters_once()
    {
        var m = Machine();
        var a = Cg(m, "a");
        Charge(m, 0, 0, 1);
        Assert.Equal(Batch, a.Memory.Usage);
        Charge(m, 0, 0, Batch - 1); // all from the stock: the counters do not move
        Assert.Equal(Batch, a.Memory.Usage);
        Assert.Equal((a, 0), m.Kernel.Memcg!.Stock(0));
        Charge(m, 0, 0, 1); // the 65th page: the second walk
        Assert.Equal(2 * Batch, a.Memory.Usage);
        Assert.Equal(2 * Batch, a.Memory.Watermark);
        Assert.Equal((a, Batch - 1), m.Kernel.Memcg!.Stock(0));
        m.Kernel.Memcg!.CheckInvariants();
    }

    [Fact]
    public void Near_memory_max_the_charge_falls_back_to_the_single_page()
    {
        var m = Machine(", memory.max: 400KiB"); // 100 pages
        var a = Cg(m, "a");
        Charge(m, 0, 0, 100);
        // Pages 65..100: the 64-page batch does not fit (failcnt each time), the retry with 1 page does.
        Assert.Equal(100L, a.Memory.Usage);
        Assert.Equal(100L, a.Memory.Watermark); // never above memory.max
        Assert.Equal(36L, a.Memory.Failcnt);
        Assert.Equal((a, 0), m.Kernel.Memcg!.Stock(0));
        Assert.Equal(0L, a.Events[(int)MemcgEvent.Max]); // no reclaim for the batch's surplus
        m.Kernel.Memcg!.CheckInvariants();
    }

    [Fact]
    public void Charging_another_cgroup_on_the_same_cpu_drains_the_stock()
    {
        var m = Machine();
        var a = Cg(m, "a");
        var b = Cg(m, "b");
        Charge(m, 0, 0, 1);
        Charge(m, 2, 1, 1); // b on the other CPU: a's stock stays
        Assert.Equal(Batch, a.Memory.Usage);
        Assert.Equal(Batch, b.Memory.Usage);
        Charge(m, 2, 0, 1); // b on CPU 0: refill_stock drains a's 63 pages
        Assert.Equal(1L, a.Memory.Usage);
        Assert.Equal(2 * Batch, b.Memory.Usage);
        Assert.Equal((b, Batch - 1), m.Kernel.Memcg!.Stock(0));
        Assert.Equal((b, Batch - 1), m.Kernel.Memcg!.Stock(1));
        m.Kernel.Memcg!.CheckInvariants();
    }

    [Fact]
    public void A_failed_charge_drains_every_cpus_stock_of_the_cgroup()
    {
        var m = Machine(", memory.max: 512KiB"); // 128 pages
        var a = Cg(m, "a");
        Charge(m, 0, 0, 1);      // CPU 0's stock: 63 of a's pages
        Charge(m, 1, 1, Batch);  // CPU 1: a second batch, used up; a is at its limit
        Assert.Equal(128L, a.Memory.Usage);
        Assert.Equal((a, Batch - 1), m.Kernel.Memcg!.Stock(0));
        // The next page does not fit: reclaim finds nothing (the pages are on no LRU list), then drain_all_stock
        // returns CPU 0's 63 pages and the retry charges the page.
        Charge(m, 1, 1, 1);
        Assert.Equal(1L, a.Events[(int)MemcgEvent.Max]);
        Assert.Equal((null, 0), m.Kernel.Memcg!.Stock(0));
        Assert.Equal(128L - (Batch - 1) + 1, a.Memory.Usage);
        m.Kernel.Memcg!.CheckInvariants();
    }

    [Fact]
    public void Over_memory_high_a_walk_owes_the_whole_batch()
    {
        var m = Machine(", memory.high: 40KiB"); // 10 pages
        var t = m.Tasks[0];
        Charge(m, 0, 0, 1);
        Assert.Equal(64L, t.MemcgNrPagesOverHigh); // current->memcg_nr_pages_over_high += batch
        Charge(m, 0, 0, Batch - 1); // from the stock: no done_restock, nothing more owed
        Assert.Equal(64L, t.MemcgNrPagesOverHigh);
        Charge(m, 0, 0, 1);
        Assert.Equal(128L, t.MemcgNrPagesOverHigh);
    }
}
