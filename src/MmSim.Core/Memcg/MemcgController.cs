using MmSim.Machine;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Sched;
using MmSim.Workloads;

namespace MmSim.Memcg;

/// <summary>
/// The memory controller of cgroup v2 (mm/memcontrol.c) for one machine: the cgroup tree, the memcg each page is
/// charged to (a parallel array of ushort ids, 0 = not charged, so <see cref="Frame"/> stays 32 bytes), charging
/// and uncharging, memory.max (try_charge_memcg: reclaim from the cgroup, then the memcg OOM killer) and
/// memory.high (mem_cgroup_handle_over_high on the return to user space). Exists only when the scenario has
/// cgroups; a page is charged when it is allocated for a task (anonymous, page cache, swap cache, page tables
/// and kernel stack) and uncharged when it is freed.
/// Charges go through the per-CPU charge stock (MemcgController.Stock.cs): the counters are charged 64 pages at a
/// time (MEMCG_CHARGE_BATCH), so memory.current includes the stocks' pre-charged pages, as on a real kernel.
/// Uncharging is direct on the counters (uncharge_batch); simplification: kernel pages (page tables, stacks) are
/// uncharged directly too, where 6.1 returns them to the stock (obj_cgroup_uncharge_pages → refill_stock).
/// </summary>
public sealed partial class MemcgController
{
    /// <summary>CONFIG_HZ of the simulated kernel (the time slice is 4 ms = one jiffy at 250).</summary>
    public const int Hz = 250;
    public const long JiffyNs = 1_000_000_000L / Hz;
    /// <summary>MAX_RECLAIM_RETRIES (mm/internal.h).</summary>
    public const int MaxReclaimRetries = 16;

    private readonly Kernel _k;
    private readonly ushort[] _pageMemcg;
    private readonly ushort[] _slotMemcg;
    /// <summary>Pages of each LRU list charged to each memcg (its own lruvec's sizes), [id * 5 + list].</summary>
    private readonly long[] _lruSize;
    public readonly List<MemCgroup> All = new();
    public readonly MemCgroup Root;
    public readonly Dictionary<string, MemCgroup> ByPath = new(StringComparer.Ordinal);
    /// <summary>Machine-wide pressure (/proc/pressure/memory).</summary>
    public readonly Psi.PsiGroup SystemPsi = new();
    public readonly Psi.PsiTracker Tracker;

    /// <summary>Set by the machine.</summary>
    public Vmscan? Vmscan;
    public Oom.OomKiller? Oom;

    /// <summary>Per-memcg reclaim filters for the pass being prepared (<see cref="PrepareShrink"/>).</summary>
    private bool[] _skipFile = [], _skipAnon = [];

    public MemcgController(Kernel kernel, Scenario scenario)
    {
        _k = kernel;
        _pageMemcg = new ushort[kernel.Frames.Length];
        _stock = new StockPcp[Math.Max(1, scenario.Machine.Cpus)];
        _slotMemcg = new ushort[kernel.Swap.TotalSlots + 1];
        Root = new MemCgroup(0, "", null);
        All.Add(Root);
        ByPath[""] = Root;
        long Pages(long bytes) => bytes / kernel.PageSize; // page_counter_memparse rounds down
        foreach (var spec in scenario.Cgroups)
        {
            int slash = spec.Path.LastIndexOf('/');
            var parent = slash < 0 ? Root : ByPath[spec.Path[..slash]];
            if (All.Count > ushort.MaxValue) throw new InputException(scenario.SourceName, spec.Line, "too many cgroups (at most 65535)");
            var cg = new MemCgroup(All.Count, spec.Path, parent) { Line = spec.Line };
            cg.Memory.Max = spec.Max is { } max ? Pages(max) : PageCounter.Unlimited;
            cg.High = spec.High is { } high ? Pages(high) : PageCounter.Unlimited;
            cg.Memory.Low = spec.Low == long.MaxValue ? PageCounter.Unlimited : Pages(spec.Low);
            cg.Memory.Min = spec.Min == long.MaxValue ? PageCounter.Unlimited : Pages(spec.Min);
            cg.Swap.Max = spec.SwapMax is { } sm ? Pages(sm) : PageCounter.Unlimited;
            cg.OomGroup = spec.OomGroup;
            cg.HighInPath = cg.High != PageCounter.Unlimited || parent.HighInPath;
            All.Add(cg);
            ByPath[spec.Path] = cg;
        }
        ChargeChildrenPercpu(scenario.Machine.Cpus);
        // The kubelet's kubepods cgroup: memory.max = node capacity (MemTotal, no kube/system reserved).
        if (scenario.Pods.Count > 0 && ByPath.TryGetValue("kubepods", out var kubepods))
            kubepods.Memory.Max = kernel.Phys.TotalRamPages;
        long capacity = kernel.Phys.TotalRamPages * kernel.PageSize;
        foreach (var p in scenario.Processes)
            if (p.Pod is { } pod) p.OomScoreAdj = Kubelet.OomScoreAdj(pod.Qos, p.Container!.MemoryRequest ?? 0, capacity);
        _lruSize = new long[All.Count * 5];
        Tracker = new Psi.PsiTracker(this);
    }

    /// <summary>Per-CPU bytes of one memory cgroup's statistics on 6.1 x86-64 with one NUMA node: struct
    /// memcg_vmstats_percpu and the node's lruvec_stats_percpu. Measured in the twin's VM: a parent's memory.stat
    /// <c>percpu</c> is 5352 bytes per cgroup below it on one CPU (10704 with two children).</summary>
    public const long MemcgPercpuBytesPerCpu = 5352;

    /// <summary>
    /// mem_cgroup_css_alloc allocates a new cgroup's statistics with set_active_memcg(parent): its per-CPU counters
    /// (alloc_percpu_gfp(..., GFP_KERNEL_ACCOUNT) in mem_cgroup_alloc and alloc_mem_cgroup_per_node_info) are charged
    /// to the <em>parent</em> (mm/percpu.c pcpu_memcg_pre_alloc_hook → obj_cgroup_charge: the bytes, in whole pages
    /// from the parent's byte stock). So a parent holds a few pages its children do not: a pod whose memory.max
    /// equals its only container's reaches its limit first (the twin's kernel logged oom_memcg=.../podshop, not
    /// .../podshop/api). The root's children charge the root, which is not counted. Charged once, when the tree
    /// is made; measured: 5352 bytes → 2 pages, 3 × 5352 → 4 pages.
    /// </summary>
    private void ChargeChildrenPercpu(int cpus)
    {
        foreach (var cg in All)
        {
            if (cg.Parent is not { IsRoot: false } parent) continue;
            parent.PercpuBytes += MemcgPercpuBytesPerCpu * Math.Max(1, cpus);
        }
        foreach (var cg in All)
        {
            if (cg.PercpuBytes == 0) continue;
            cg.PercpuPages = (cg.PercpuBytes + _k.PageSize - 1) / _k.PageSize;
            cg.Memory.Charge(cg.PercpuPages);
        }
    }

    /// <summary>Places a new task in its scenario cgroup (cgroup.procs), or with its parent for a forked child.</summary>
    public void Attach(SimTask t, MemCgroup? inherit = null)
    {
        var cg = inherit ?? (t.Spec.Cgroup is { } path ? ByPath[path] : Root);
        t.Memcg = cg;
        cg.Tasks.Add(t);
    }

    public MemCgroup? MemcgOfPage(int pfn) => _pageMemcg[pfn] == 0 ? null : All[_pageMemcg[pfn]];
    public int IdOf(int pfn) => _pageMemcg[pfn];
    public int SlotMemcg(int slot) => _slotMemcg[slot];

    // ---- charging ----

    /// <summary>
    /// mem_cgroup_charge for a page just allocated on behalf of the current task: returns the pfn, or frees the page
    /// and returns -1 when the charge fails (-ENOMEM: the fault ends in VM_FAULT_OOM).
    /// </summary>
    public int ChargeNew(int pfn)
    {
        if (pfn < 0) return pfn;
        var task = _k.Current;
        var cg = task?.Memcg;
        if (cg is null || cg.IsRoot) return pfn; // the root memcg is never charged
        if (!ConsumeStock(cg, 1) && !TryCharge(cg, task!, 1))
        {
            _k.FreePage(pfn);
            return -1;
        }
        _pageMemcg[pfn] = (ushort)cg.Id;
        return pfn;
    }

    /// <summary>mem_cgroup_uncharge, when a page is freed.</summary>
    public void Uncharge(int pfn)
    {
        int id = _pageMemcg[pfn];
        if (id == 0) return;
        _pageMemcg[pfn] = 0;
        All[id].Memory.Uncharge(1);
    }

    /// <summary>
    /// try_charge_memcg (mm/memcontrol.c): take the pages from this CPU's stock (consume_stock), else charge the
    /// hierarchy <c>batch = max(MEMCG_CHARGE_BATCH, nr)</c> pages and keep the surplus in the stock (done_restock →
    /// refill_stock); when the batch does not fit, retry with exactly <paramref name="nr"/> (so the limit is reached
    /// exactly). On failure at the cgroup over its limit (mem_over_limit) count a <c>max</c> event, reclaim from it
    /// (try_to_free_mem_cgroup_pages, a memory stall), retry while that made room; the first time it did not, drain
    /// every CPU's stock of that subtree (drain_all_stock) and retry; retry while reclaim reclaimed something, 16
    /// more tries, then the memcg OOM killer, which, having killed, gives 16 tries again. A task that was killed
    /// gets -ENOMEM.
    /// </summary>
    public bool TryCharge(MemCgroup cg, SimTask task, int nr)
    {
        int batch = Math.Max(HighDelay.ChargeBatch, nr);
        int retries = MaxReclaimRetries;
        bool drained = false, passedOom = false;
        for (int guard = 0; guard < 100_000; guard++)
        {
            // The OOM killer may have chosen this very task: its address space is gone, nothing may be mapped.
            if (passedOom && (task.IsDone || task.OomKilled)) return false;
            if (ConsumeStock(cg, nr)) return true;
            if (cg.Memory.TryCharge(batch, out var failing))
            {
                // done_restock
                if (batch > nr) RefillStock(cg, batch - nr);
                if (cg.HighInPath) NoteOverHigh(cg, task, batch);
                return true;
            }
            if (batch > nr) { batch = nr; continue; } // never reclaim for the batch's surplus
            if (task.IsDone || task.OomKilled) return false; // a dying task gives up (task_is_dying)
            var over = OwnerOf(failing!, swap: false);
            over.Event(MemcgEvent.Max);
            long reclaimed = ReclaimStall(over, nr, task);
            if (over.Margin >= nr) continue;
            if (!drained) { DrainAllStock(over); drained = true; continue; }
            if (reclaimed > 0 && nr <= 8) continue;      // nr <= 1 << PAGE_ALLOC_COSTLY_ORDER
            if (retries-- > 0) continue;
            if (passedOom && (task.IsDone || task.OomKilled)) return false;
            if (MemCgroupOom(over, task))
            {
                passedOom = true;
                retries = MaxReclaimRetries;
                continue;
            }
            return false;
        }
        return false;
    }

    /// <summary>mem_cgroup_from_counter: the cgroup a (memory or swap) counter belongs to. A loop, not a lambda: a
    /// closure over the loop's variable would allocate on every charge.</summary>
    private MemCgroup OwnerOf(PageCounter counter, bool swap)
    {
        foreach (var m in All) if (ReferenceEquals(swap ? m.Swap : m.Memory, counter)) return m;
        throw new InvalidOperationException("page counter without a cgroup");
    }

    /// <summary>try_to_free_mem_cgroup_pages inside psi_memstall_enter/leave, charged to the task's time.</summary>
    private long ReclaimStall(MemCgroup over, long nr, SimTask task)
    {
        long start = _k.Now;
        long reclaimed = Vmscan!.TryToFreeMemCgroupPages(over, nr, MaySwap(over), out long cost);
        _k.Now += cost;
        task.StallNs += cost;
        Tracker.Stall(task, start, _k.Now, running: true);
        return reclaimed;
    }

    /// <summary>mem_cgroup_oom: the <c>oom</c> event, then mem_cgroup_out_of_memory (no kill if there is room now).</summary>
    private bool MemCgroupOom(MemCgroup memcg, SimTask task)
    {
        memcg.Event(MemcgEvent.Oom);
        if (memcg.Margin >= 1) return true;
        return Oom!.MemcgOutOfMemory(memcg, task);
    }

    /// <summary>mem_cgroup_get_max: memory.max plus, with vm.swappiness ≠ 0, min(memory.swap.max, total swap pages).</summary>
    public long GetMax(MemCgroup memcg)
    {
        long max = memcg.Memory.Max;
        if (_k.Vm.Swappiness != 0) max = SaturatingAdd(max, Math.Min(memcg.Swap.Max, _k.TotalSwapPages));
        return max;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    // ---- swap ----

    /// <summary>mem_cgroup_get_nr_swap_pages &gt; 0: this cgroup and every ancestor may still charge swap.</summary>
    public bool MaySwap(MemCgroup memcg)
    {
        for (var c = memcg; c is not null && !c.IsRoot; c = c.Parent)
            if (c.Swap.Usage >= c.Swap.Max) return false;
        return true;
    }

    /// <summary>__mem_cgroup_try_charge_swap: a swap slot for a page charged to a cgroup is charged to its swap
    /// counter; over memory.swap.max the page is not swapped out (swap max event on the limit, fail on the page's).</summary>
    public bool ChargeSwap(int pfn, int slot)
    {
        int id = _pageMemcg[pfn];
        if (id == 0) return true;
        var cg = All[id];
        if (!cg.Swap.TryCharge(1, out var failing))
        {
            var over = OwnerOf(failing!, swap: true);
            over.SwapEventMax++;
            cg.SwapEventFail++;
            return false;
        }
        _slotMemcg[slot] = (ushort)id;
        return true;
    }

    /// <summary>The slot was freed: its swap charge goes (mem_cgroup_uncharge_swap).</summary>
    public void SlotFreed(int slot)
    {
        int id = _slotMemcg[slot];
        if (id == 0) return;
        _slotMemcg[slot] = 0;
        All[id].Swap.Uncharge(1);
    }

    // ---- LRU sizes per memcg ----

    public void LruAdd(int pfn, int list) => _lruSize[_pageMemcg[pfn] * 5 + list]++;
    public void LruRemove(int pfn, int list) => _lruSize[_pageMemcg[pfn] * 5 + list]--;
    public long LruSizeLocal(MemCgroup m, LruList list) => _lruSize[m.Id * 5 + (int)list];

    /// <summary>mem_cgroup_lruvec sizes summed over the subtree (what reclaim of this cgroup can find).</summary>
    public long LruSize(MemCgroup m, LruList list)
    {
        long n = 0;
        foreach (var d in m.Subtree()) n += _lruSize[d.Id * 5 + (int)list];
        return n;
    }

    // ---- reclaim filters and protection ----

    /// <summary>
    /// The memcg part of shrink_node_memcgs for one pass: computes every cgroup's effective protection under the
    /// reclaim root (mem_cgroup_calculate_protection), then which cgroups' pages the pass may take — only the
    /// target's subtree for memcg reclaim; none of a cgroup below memory.min; none below memory.low unless the pass
    /// is the second one (memcg_low_reclaim), which counts a <c>low</c> event; no anonymous pages of a cgroup with no
    /// swap left.
    /// </summary>
    public void PrepareShrink(ScanControl sc)
    {
        int n = All.Count;
        if (_skipFile.Length != n) { _skipFile = new bool[n]; _skipAnon = new bool[n]; }
        var target = sc.TargetMemcg;
        var rootCounter = target?.Memory; // null: the root cgroup (whose counter the top level does not charge)
        foreach (var m in All)
        {
            bool skip = false;
            if (target is not null && !m.IsDescendantOf(target)) skip = true;
            else if (!m.IsRoot)
            {
                PageCounter.CalculateProtection(rootCounter, m.Memory, Recursive);
                if (!ReferenceEquals(m, target))
                {
                    long usage = m.Memory.Usage;
                    if (m.Memory.Emin >= usage) skip = true;           // mem_cgroup_below_min
                    else if (m.Memory.Elow >= usage)                   // mem_cgroup_below_low
                    {
                        if (!sc.MemcgLowReclaim) { sc.MemcgLowSkipped = true; skip = true; }
                        else m.Event(MemcgEvent.Low);
                    }
                }
            }
            _skipFile[m.Id] = skip;
            _skipAnon[m.Id] = skip || (!m.IsRoot && !MaySwap(m));
        }
        for (int l = 0; l < 5; l++)
        {
            long e = 0;
            bool fileList = l is (int)LruList.InactiveFile or (int)LruList.ActiveFile;
            foreach (var m in All) if (!(fileList ? _skipFile[m.Id] : _skipAnon[m.Id])) e += _lruSize[m.Id * 5 + l];
            _eligible[l] = e;
        }
    }

    private readonly long[] _eligible = new long[5];

    /// <summary>Pages on the list that the pass being prepared may take (the lruvec sizes get_scan_count sees).</summary>
    public long Eligible(LruList list) => _eligible[(int)list];

    /// <summary>The memory_recursiveprot mount option (off by default, as a plain mount of cgroup2).</summary>
    public bool Recursive { get; set; }

    /// <summary>True when reclaim's isolation must leave this page alone (see <see cref="PrepareShrink"/>).</summary>
    public bool Skip(int pfn, bool fileList)
    {
        int id = _pageMemcg[pfn];
        return fileList ? _skipFile[id] : _skipAnon[id];
    }

    public void NoteScanned(List<int> isolated)
    {
        foreach (int pfn in isolated) { int id = _pageMemcg[pfn]; if (id != 0) All[id].PgScan++; }
    }

    public void NoteSteal(int id) => All[id].PgSteal++;

    /// <summary>Refaults of pages that were in the working set (workingset_refault with PG_workingset restored): the
    /// task waiting for such a page is in a memory stall (folio_wait_bit_common / swap_read_folio).</summary>
    public long WorkingsetRefaults;

    public void NoteRefault(int pfn, bool file)
    {
        int id = _pageMemcg[pfn];
        if (id == 0) return;
        if (file) All[id].RefaultFile++; else All[id].RefaultAnon++;
    }

    // ---- memory.high ----

    /// <summary>The done_restock part of try_charge_memcg: the first cgroup up the tree over memory.high makes the task
    /// owe the pages just charged to the counters, the whole batch (memcg_nr_pages_over_high += batch), handled on
    /// its return to user space. Not after a charge taken from the stock: that one does not reach done_restock.</summary>
    private static void NoteOverHigh(MemCgroup cg, SimTask task, int batch)
    {
        for (var c = cg; c is not null && !c.IsRoot; c = c.Parent)
        {
            if (c.Memory.Usage > c.High)
            {
                task.MemcgNrPagesOverHigh += batch;
                return;
            }
        }
    }

    /// <summary>
    /// mem_cgroup_handle_over_high, on the return to user space: reclaim the excess (reclaim_high), compute the
    /// penalty (calculate_high_delay over mem_find_max_overage, at most 2 s); at most 10 ms is forgiven; while reclaim
    /// makes progress or retries remain, reclaim again (32 pages); then sleep the penalty, a memory stall.
    /// Returns the time the task wakes, or 0 when it does not sleep. <paramref name="now"/> advances by the reclaim.
    /// </summary>
    public long HandleOverHigh(SimTask task, ref long now)
    {
        long nr = task.MemcgNrPagesOverHigh;
        if (nr == 0 || task.Memcg is not { } memcg) return 0;
        task.MemcgNrPagesOverHigh = 0;
        int retries = MaxReclaimRetries;
        bool inRetry = false;
        _k.Now = now;
        while (true)
        {
            long reclaimed = ReclaimHigh(memcg, inRetry ? 32 : nr, task);
            now = _k.Now;
            ulong pen = HighDelay.Delay(MaxOverage(memcg), (ulong)nr, Hz);
            pen = Math.Min(pen, (ulong)HighDelay.MaxDelayJiffies(Hz));
            if (pen <= Hz / 100) return 0;
            if (reclaimed > 0 || retries-- > 0) { inRetry = true; continue; }
            long wake = now + (long)pen * JiffyNs;
            task.MemcgThrottledNs += wake - now;
            Tracker.Stall(task, now, wake, running: false);
            return wake;
        }
    }

    /// <summary>mem_find_max_overage: the largest overage from the cgroup up, the root excluded.</summary>
    public static ulong MaxOverage(MemCgroup memcg)
    {
        ulong max = 0;
        for (var c = memcg; c is not null && !c.IsRoot; c = c.Parent)
            max = Math.Max(max, HighDelay.Overage((ulong)c.Memory.Usage, (ulong)c.High));
        return max;
    }

    /// <summary>reclaim_high: each cgroup from this one up (root excluded) that is over memory.high counts a
    /// <c>high</c> event and has <paramref name="nr"/> pages reclaimed, in a memory stall.</summary>
    private long ReclaimHigh(MemCgroup memcg, long nr, SimTask task)
    {
        long total = 0;
        for (var c = memcg; c is not null && !c.IsRoot; c = c.Parent)
        {
            if (c.Memory.Usage <= c.High) continue;
            c.Event(MemcgEvent.High);
            total += ReclaimStall(c, nr, task);
        }
        return total;
    }

    // ---- checks ----

    /// <summary>Every cgroup's memory.current equals the pages charged to its subtree plus the CPUs' charge stocks of
    /// its subtree (and the per-CPU statistics charged to it), and every charged page is in use; no stock holds more
    /// than MEMCG_CHARGE_BATCH pages; memory.swap.current likewise for swap slots; the per-memcg LRU sizes add up.</summary>
    public void CheckInvariants()
    {
        var local = new long[All.Count];
        var lru = new long[All.Count * 5];
        var frames = _k.Frames;
        for (int pfn = 0; pfn < frames.Length; pfn++)
        {
            int id = _pageMemcg[pfn];
            if (id == 0) continue;
            if ((frames[pfn].Flags & (uint)FrameFlags.Allocated) == 0)
                throw new InvalidOperationException($"memcg: pfn {pfn} is charged to /{All[id].Path} but free");
            local[id]++;
            if (_k.Lru.OnLru(pfn)) lru[id * 5 + (int)_k.Lru.ListOf(pfn)]++;
        }
        foreach (var s in _stock)
            if (s.NrPages < 0 || s.NrPages > HighDelay.ChargeBatch || (s.Cached == 0 && s.NrPages != 0))
                throw new InvalidOperationException($"memcg: a charge stock holds {s.NrPages} pages of memcg id {s.Cached}");
        var stocked = StockPagesById();
        var swapLocal = new long[All.Count];
        for (int s = 1; s < _slotMemcg.Length; s++)
        {
            if (_slotMemcg[s] == 0) continue;
            if (!_k.Swap.InUse(s)) throw new InvalidOperationException($"memcg: swap slot {s} is charged but free");
            swapLocal[_slotMemcg[s]]++;
        }
        foreach (var m in All)
        {
            if (m.IsRoot) continue;
            long sum = 0, swap = 0;
            foreach (var d in m.Subtree()) { sum += local[d.Id] + d.PercpuPages + stocked[d.Id]; swap += swapLocal[d.Id]; }
            if (sum != m.Memory.Usage)
                throw new InvalidOperationException($"memcg /{m.Path}: memory.current {m.Memory.Usage} pages but {sum} pages charged (stocks included)");
            if (swap != m.Swap.Usage)
                throw new InvalidOperationException($"memcg /{m.Path}: memory.swap.current {m.Swap.Usage} pages but {swap} slots charged");
            if (m.Memory.Usage > m.Memory.Max)
                throw new InvalidOperationException($"memcg /{m.Path}: memory.current {m.Memory.Usage} above memory.max {m.Memory.Max}");
            for (int l = 0; l < 5; l++)
                if (lru[m.Id * 5 + l] != _lruSize[m.Id * 5 + l])
                    throw new InvalidOperationException($"memcg /{m.Path}: LRU {(LruList)l} size {_lruSize[m.Id * 5 + l]} but {lru[m.Id * 5 + l]} pages");
        }
    }
}
