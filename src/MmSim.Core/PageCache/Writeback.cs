using MmSim.Machine;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Sched;

namespace MmSim.PageCache;

/// <summary>
/// Dirty page cache and its writeback (mm/page-writeback.c, fs/fs-writeback.c): pages are dirtied by write() and
/// by writes to shared file mappings; the flusher thread writes them back when dirty memory passes
/// vm.dirty_background_ratio, when reclaim asks, or when they are older than dirty_expire_centisecs (checked
/// every dirty_writeback_centisecs); a writer that pushes dirty memory past vm.dirty_ratio is throttled
/// (balance_dirty_pages) until writeback catches up. A written page is under writeback (NR_WRITEBACK) for the
/// disk's write latency, then clean; one reclaim had marked is rotated to the inactive tail (pgrotated).
/// </summary>
public sealed class Writeback : IKernelThread
{
    /// <summary>Pages written back in one request.</summary>
    public const int BatchPages = 1024;
    /// <summary>MAX_PAUSE: the longest a throttled writer sleeps at once.</summary>
    public const long MaxPauseNs = 200_000_000;

    private readonly Kernel _k;
    private readonly List<(long DoneAt, int[] Pages)> _inFlight = new();
    private bool _reclaimAsked;

    public Writeback(Kernel kernel) => _k = kernel;

    public string Name => "kworker/u:flush-8:0";
    /// <summary>Schedules the thread (set by the machine).</summary>
    public Action<long>? Schedule;

    /// <summary>folio_mark_dirty for a page cache page: NR_FILE_DIRTY, nr_dirtied, its dirtying time.</summary>
    public void MarkDirty(int pfn, long now)
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Dirty) != 0) return;
        f.Flags |= (uint)FrameFlags.Dirty;
        _k.NrFileDirty++;
        _k.Events.Inc(VmEvent.nr_dirtied);
        var file = _k.Files[f.Owner];
        file.DirtiedAt ??= new long[file.Pages];
        file.DirtiedAt[f.Index] = now;
        Schedule?.Invoke(now + _k.Vm.DirtyWritebackCentisecs * 10_000_000L);
    }

    /// <summary>wakeup_flusher_threads from reclaim: write back everything dirty now.</summary>
    public void WakeForReclaim(long now)
    {
        // wakeup_flusher_threads(WB_REASON_VMSCAN): write back every dirty page, batch after batch.
        _reclaimAsked = true;
        Schedule?.Invoke(now);
    }

    /// <summary>
    /// balance_dirty_pages, simplified: above the background threshold the flusher is started; above the
    /// dirty threshold the writer must pause — returns how long (0 = no pause).
    /// </summary>
    public long BalanceDirtyPages(long now)
    {
        var (thresh, bg) = DirtyLimits.Compute(_k);
        long dirty = _k.NrFileDirty + _k.NrWriteback;
        if (dirty > bg) Schedule?.Invoke(now);
        if (dirty <= thresh) return 0;
        long next = NextCompletion();
        long pause = next > now ? next - now : _k.Latency.DiskWriteNs;
        return Math.Clamp(pause, 1_000_000, MaxPauseNs);
    }

    /// <summary>When the next write in flight completes (0 if none).</summary>
    public long NextCompletionAt => NextCompletion();

    /// <summary>
    /// The flusher's work while a direct reclaimer sleeps in reclaim_throttle: the flush reclaim asked for
    /// (wakeup_flusher_threads) starts its next batch now rather than at the flusher's next turn, which the
    /// reclaimer's inline sleep would otherwise skip over. Completions up to <paramref name="now"/> are taken.
    /// </summary>
    public void WorkDuringThrottle(long now)
    {
        Complete(now);
        if (!_reclaimAsked) return;
        var batch = NextBatch(all: true, expireBefore: 0);
        if (batch.Count > 0) Submit(batch, now);
    }

    /// <summary>The next dirty pages to write, at most <see cref="BatchPages"/>: all of them, or only those dirtied
    /// before <paramref name="expireBefore"/> (dirty_expire_centisecs).</summary>
    private List<int> NextBatch(bool all, long expireBefore)
    {
        var batch = new List<int>(BatchPages);
        foreach (var file in _k.Files)
        {
            if (file.DirtiedAt is null) continue;
            for (long i = 0; i < file.Pages && batch.Count < BatchPages; i++)
            {
                int pfn = file.CachePfn[i];
                if (pfn < 0) continue;
                uint fl = _k.Frames[pfn].Flags;
                if ((fl & (uint)FrameFlags.Dirty) == 0 || (fl & (uint)FrameFlags.Writeback) != 0) continue;
                if (!all && file.DirtiedAt[i] > expireBefore) continue;
                batch.Add(pfn);
            }
            if (batch.Count >= BatchPages) break;
        }
        return batch;
    }

    /// <summary>folio_end_writeback for every write done by <paramref name="now"/>.</summary>
    public void CompleteUntil(long now) => Complete(now);

    private long NextCompletion()
    {
        long next = long.MaxValue;
        foreach (var (doneAt, _) in _inFlight) next = Math.Min(next, doneAt);
        return next == long.MaxValue ? 0 : next;
    }

    public long Run(long now)
    {
        _k.Now = now;
        Complete(now);
        var (_, bg) = DirtyLimits.Compute(_k);
        bool all = _reclaimAsked || _k.NrFileDirty > bg;
        var batch = NextBatch(all, now - _k.Vm.DirtyExpireCentisecs * 10_000_000L);
        if (batch.Count > 0) Submit(batch, now);
        else _reclaimAsked = false; // nothing dirty is left to write: the flush reclaim asked for is done
        if (_reclaimAsked) return now + 1_000; // next batch right away
        long next = NextCompletion();
        if (next > 0) return next;
        if (_k.NrFileDirty > 0) return now + _k.Vm.DirtyWritebackCentisecs * 10_000_000L;
        return -1;
    }

    /// <summary>Starts writing a batch: PG_writeback set, dirty cleared when the request starts, as
    /// folio_clear_dirty_for_io does; the pages stay under writeback until the disk finishes.</summary>
    private void Submit(List<int> pages, long now)
    {
        foreach (int pfn in pages)
        {
            ref var f = ref _k.Frames[pfn];
            f.Flags = (f.Flags & ~(uint)FrameFlags.Dirty) | (uint)FrameFlags.Writeback;
            _k.NrFileDirty--;
            _k.NrWriteback++;
        }
        _inFlight.Add((_k.Disk.Submit(now, _k.Latency.DiskWriteNs), pages.ToArray()));
    }

    /// <summary>Completes every write still in flight (the run is over: see <see cref="Machine.SimMachine.Run"/>).</summary>
    public void Drain() => Complete(long.MaxValue);

    /// <summary>folio_end_writeback for every request done by <paramref name="now"/>.</summary>
    private void Complete(long now)
    {
        for (int i = _inFlight.Count - 1; i >= 0; i--)
        {
            var (doneAt, pages) = _inFlight[i];
            if (doneAt > now) continue;
            _inFlight.RemoveAt(i);
            foreach (int pfn in pages)
            {
                ref var f = ref _k.Frames[pfn];
                if ((f.Flags & (uint)FrameFlags.Writeback) == 0) continue;
                f.Flags &= ~(uint)FrameFlags.Writeback;
                _k.NrWriteback--;
                _k.Events.Inc(VmEvent.nr_written);
                _k.Events.Add(VmEvent.pgpgout, _k.PageSize / 1024);
                if ((f.Flags & (uint)FrameFlags.Reclaim) != 0)
                {
                    // folio_rotate_reclaimable: clean now, so to the inactive tail for the next scan.
                    f.Flags &= ~(uint)FrameFlags.Reclaim;
                    if ((f.Flags & (uint)(FrameFlags.Dirty | FrameFlags.Unevictable)) == 0 && _k.Lru.OnLru(pfn))
                    {
                        f.Flags &= ~(uint)FrameFlags.Active;
                        _k.Lru.AddTail(pfn, LruList.InactiveFile);
                        _k.Events.Inc(VmEvent.pgrotated);
                    }
                }
            }
        }
    }

    /// <summary>Pages still under writeback (for the invariant checks).</summary>
    public int InFlightPages
    {
        get
        {
            int n = 0;
            foreach (var (_, p) in _inFlight) n += p.Length;
            return n;
        }
    }
}
