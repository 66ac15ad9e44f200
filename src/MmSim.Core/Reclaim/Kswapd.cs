using MmSim.Machine;
using MmSim.Physical;
using MmSim.Sched;

namespace MmSim.Reclaim;

/// <summary>
/// kswapd (mm/vmscan.c): the node's background reclaim thread. Woken by an allocation that finds a zone below
/// its low watermark (wakeup_kswapd), it runs balance_pgdat — passes from priority 12 down, each reclaiming
/// toward the high watermarks — until the node is balanced, then sleeps. It runs on the kernel's time, not a
/// task's: each run here is one priority iteration and takes the simulated time that pass cost.
/// Between two balance_pgdat calls it goes through kswapd_try_to_sleep: once the node is balanced it naps for
/// HZ/10 (100 ms) first; woken in the nap (an allocation below the low watermark) it counts
/// kswapd_low_wmark_hit_quickly and reclaims again; at the nap's end it sleeps for good only if the node is still
/// balanced, else counts kswapd_high_wmark_hit_quickly and reclaims again (as it does at once, counting the same,
/// when a balance_pgdat ends unbalanced).
/// </summary>
public sealed class Kswapd : IKernelThread
{
    /// <summary>MAX_RECLAIM_RETRIES: after this many passes without progress the node is "hopeless".</summary>
    public const int MaxReclaimRetries = 16;

    private readonly Kernel _k;
    private readonly Vmscan _vmscan;
    private bool _inPass;
    private int _priority;
    private long _passReclaimed;
    private ZoneType _classZone = ZoneType.Dma;
    private bool _memcgLowReclaim, _memcgLowSkipped;
    /// <summary>In kswapd_try_to_sleep's short sleep (schedule_timeout(HZ/10)), and whether a wakeup cut it short.</summary>
    private bool _napping, _wokenInNap;

    /// <summary>kswapd_try_to_sleep's first, short sleep: HZ/10.</summary>
    public const long NapNs = 100_000_000;

    public Kswapd(Kernel kernel, Vmscan vmscan)
    {
        _k = kernel;
        _vmscan = vmscan;
    }

    public string Name => "kswapd0";
    public bool Awake { get; private set; }
    /// <summary>pgdat->kswapd_failures.</summary>
    public int Failures;
    /// <summary>Simulated time kswapd spent reclaiming.</summary>
    public long BusyNs;
    /// <summary>The swap device's queue (set by the machine).</summary>
    public Swap.SwapIo? SwapIo { get; set; }
    /// <summary>Schedules the thread (set by the machine).</summary>
    public Action<long>? Schedule;
    /// <summary>Whether a wake-up at a time preempts the running task (set by the machine when kswapd shares the
    /// CPUs; null: always, as when it runs beside the tasks).</summary>
    public Func<long, bool>? WakeupPreempts;

    /// <summary>
    /// wakeup_kswapd: records the highest zone wanted; does nothing if kswapd is awake, the node is hopeless,
    /// or it is balanced already.
    /// </summary>
    public void Wakeup(ZoneType highestZone, long now)
    {
        if ((int)highestZone > (int)_classZone) _classZone = highestZone;
        if (Awake && !_napping) return; // not on pgdat->kswapd_wait: reclaiming already
        if (Failures >= MaxReclaimRetries) return;
        if (_vmscan.PgdatBalanced(highestZone)) return;
        if (_napping)
        {
            // wake_up_interruptible in the short sleep: schedule_timeout returns the time left.
            if (_wokenInNap) return;
            _wokenInNap = true;
        }
        else
        {
            Awake = true;
            _k.Trace?.Add(new TracePoint(now, TraceLog.KswapdWake, 0, FreeIn(highestZone), SumWatermarks(highestZone, low: true), 0, now));
        }
        // Wake-up preemption: kswapd runs before the task goes on (sharing the CPUs: if CFS would preempt).
        if (WakeupPreempts?.Invoke(now) ?? true) _k.PreemptRequested = true;
        Schedule?.Invoke(now);
    }

    /// <summary>The CPU time of the last run: the pass's cost, 0 for a wake-up that only went back to sleep.</summary>
    public long LastRunCpuNs { get; private set; }

    public long Run(long now)
    {
        _k.Now = now;
        LastRunCpuNs = 0;
        if (_napping)
        {
            // The end of kswapd_try_to_sleep's short sleep: woken early, or the HZ/10 is over.
            _napping = false;
            if (_wokenInNap) _k.Events.Inc(VmEvent.kswapd_low_wmark_hit_quickly);
            else if (Failures >= MaxReclaimRetries || _vmscan.PgdatBalanced(_classZone)) return Sleep();
            else _k.Events.Inc(VmEvent.kswapd_high_wmark_hit_quickly);
            _wokenInNap = false;
        }
        var zone = _classZone;
        if (!_inPass)
        {
            _inPass = true;
            _priority = ScanControl.DefPriority;
            _passReclaimed = 0;
            _memcgLowReclaim = _memcgLowSkipped = false; // memcg issue
            _k.Events.Inc(VmEvent.pageoutrun);
        }
        if (_vmscan.PgdatBalanced(zone))
            return Nap(now);

        var sc = new ScanControl
        {
            IsKswapd = true,
            Priority = _priority,
            ReclaimIdx = zone,
            MayWritepage = true,
            MemcgLowReclaim = _memcgLowReclaim,
        };
        foreach (var z in _k.Phys.Zones)
            if ((int)z.Type <= (int)zone) sc.NrToReclaim += Math.Max(z.WatermarkHigh, CostModel.SwapClusterMax);
        _vmscan.AgeAnon(sc);          // kswapd_age_node
        _vmscan.ShrinkNode(sc);       // kswapd_shrink_node
        _passReclaimed += sc.NrReclaimed;
        _memcgLowSkipped |= sc.MemcgLowSkipped;
        if (sc.NrReclaimed > 0) Failures = 0;
        long cost = Math.Max(sc.CostNs, 1_000);
        BusyNs += cost;
        LastRunCpuNs = cost;
        if (sc.NrReclaimed == 0 && SwapIo is { Pending: true } io)
        {
            // Everything it found is still being written to swap: wait for the writes (kswapd is throttled on
            // writeback too) rather than burn through the priorities.
            return Math.Max(now + cost, io.NextCompletion);
        }
        bool raisePriority = sc.NrScanned < sc.NrToReclaim;
        if (raisePriority || sc.NrReclaimed == 0) _priority--;
        // No retry below memory.low here: balance_pgdat (6.1) never sets sc.memcg_low_reclaim, so kswapd leaves a
        // cgroup within its effective low alone even when a whole pass freed nothing; only direct reclaim
        // (do_try_to_free_pages, "Untapped cgroup reserves? Don't OOM, retry.") and memcg reclaim go below low.
        // (Patches adding the retry to kswapd were proposed and not merged.) The twin showed it on
        // memory-low-protection: the real db cgroup never counted a 'low' event, the model's kswapd counted 497.
        if (_priority < 1)
        {
            // The end of balance_pgdat: if it is still not balanced, kswapd_try_to_sleep will not sleep and the
            // next pass starts from the top; a pass that freed nothing counts as a failure.
            _inPass = false;
            _vmscan.SnapshotRefaults();
            if (_passReclaimed == 0) Failures++;
            if (Failures >= MaxReclaimRetries) return Sleep(); // hopeless: prepare_kswapd_sleep lets it sleep
            _k.Events.Inc(VmEvent.kswapd_high_wmark_hit_quickly); // no short sleep, and still not balanced
        }
        return now + cost;
    }

    /// <summary>balance_pgdat is done (the node is balanced): kswapd_try_to_sleep's short sleep begins.</summary>
    private long Nap(long now)
    {
        _inPass = false;
        _vmscan.SnapshotRefaults();
        _napping = true;
        _wokenInNap = false;
        return now + NapNs;
    }

    private long Sleep()
    {
        _k.Trace?.Add(new TracePoint(_k.Now, TraceLog.KswapdSleep, 0, FreeIn(_classZone), SumWatermarks(_classZone, low: false), Failures, _k.Now));
        _inPass = false;
        _napping = _wokenInNap = false;
        Awake = false;
        _classZone = ZoneType.Dma;
        return -1;
    }

    /// <summary>The low watermarks plus lowmem_reserve (what the failed allocation was checked against,
    /// zone_watermark_ok), or the high watermarks (what pgdat_balanced checks), of the zones kswapd balances, summed:
    /// what the tracepoints' sentences compare free memory with.</summary>
    private long SumWatermarks(ZoneType highest, bool low)
    {
        long sum = 0;
        foreach (var z in _k.Phys.Zones)
            if ((int)z.Type <= (int)highest) sum += low ? z.WatermarkLow + z.LowmemReserve[(int)highest] : z.WatermarkHigh;
        return sum;
    }

    private long FreeIn(ZoneType highest)
    {
        long sum = 0;
        foreach (var z in _k.Phys.Zones)
            if ((int)z.Type <= (int)highest) sum += z.FreePages;
        return sum;
    }
}
