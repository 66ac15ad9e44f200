namespace MmSim.Memcg;

/// <summary>
/// The per-CPU charge stock (struct memcg_stock_pcp, mm/memcontrol.c, Linux 6.1): each CPU caches one memcg and up
/// to <see cref="HighDelay.ChargeBatch"/> pages already charged to its page counters. try_charge_memcg charges the
/// counters 64 pages at a time and keeps the surplus here, so 63 of 64 charges take a page from the stock without
/// walking the hierarchy. The stock's pages count in memory.current, as on a real kernel.
/// </summary>
public sealed partial class MemcgController
{
    /// <summary>memcg_stock_pcp: the cached memcg (an id, 0 = none: the stock never caches the root) and its pages.</summary>
    private struct StockPcp
    {
        public int Cached;
        public int NrPages;
    }

    private readonly StockPcp[] _stock;

    /// <summary>The memcg a CPU's stock caches (null when none) and its pre-charged pages (for tests and reports).</summary>
    public (MemCgroup? Cached, int NrPages) Stock(int cpu)
    {
        var s = _stock[cpu];
        return (s.Cached == 0 ? null : All[s.Cached], s.NrPages);
    }

    /// <summary>consume_stock: this CPU's stock caches <paramref name="memcg"/> with at least <paramref name="nr"/>
    /// pages: take them (requests above MEMCG_CHARGE_BATCH never use the stock).</summary>
    private bool ConsumeStock(MemCgroup memcg, int nr)
    {
        if (nr > HighDelay.ChargeBatch) return false;
        ref var stock = ref _stock[_k.CurrentCpu];
        if (stock.Cached != memcg.Id || stock.NrPages < nr) return false;
        stock.NrPages -= nr;
        return true;
    }

    /// <summary>drain_stock: the stock's pages are uncharged from its memcg's counters; it caches nothing.</summary>
    private void DrainStock(ref StockPcp stock)
    {
        if (stock.Cached == 0) return;
        if (stock.NrPages != 0)
        {
            All[stock.Cached].Memory.Uncharge(stock.NrPages);
            stock.NrPages = 0;
        }
        stock.Cached = 0;
    }

    /// <summary>__refill_stock: a stock caching another memcg is drained first; more than MEMCG_CHARGE_BATCH pages
    /// are drained back to the counters.</summary>
    private void RefillStock(MemCgroup memcg, int nr)
    {
        ref var stock = ref _stock[_k.CurrentCpu];
        if (stock.Cached != memcg.Id)
        {
            DrainStock(ref stock);
            stock.Cached = memcg.Id;
        }
        stock.NrPages += nr;
        if (stock.NrPages > HighDelay.ChargeBatch) DrainStock(ref stock);
    }

    /// <summary>
    /// drain_all_stock: every CPU's stock that caches <paramref name="root"/> or a descendant of it, with pages, is
    /// drained. Simplification: the kernel drains other CPUs' stocks from a work item (schedule_work_on) and
    /// returns at once; here they are drained at once, and the percpu_charge_mutex trylock always succeeds.
    /// </summary>
    public void DrainAllStock(MemCgroup root)
    {
        for (int cpu = 0; cpu < _stock.Length; cpu++)
        {
            ref var stock = ref _stock[cpu];
            if (stock.Cached != 0 && stock.NrPages != 0 && All[stock.Cached].IsDescendantOf(root)) DrainStock(ref stock);
        }
    }

    /// <summary>Pages held by the CPUs' stocks for each memcg, by id (for the invariant check).</summary>
    private long[] StockPagesById()
    {
        var pages = new long[All.Count];
        foreach (var s in _stock) if (s.Cached != 0) pages[s.Cached] += s.NrPages;
        return pages;
    }
}
