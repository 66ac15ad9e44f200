using MmSim.Machine;
using MmSim.PageCache;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Sched;

namespace MmSim.Swap;

/// <summary>
/// Swap I/O completion (mm/page_io.c: swap_writepage → end_swap_bio_write). A page written out by reclaim stays
/// in the swap cache under writeback (NR_WRITEBACK) until the swap device finishes the request — requests are
/// served one after another — and is freed by a later reclaim pass; when the write ends, a page reclaim marked
/// is rotated to the tail of the inactive list (folio_rotate_reclaimable, pgrotated) so that pass comes soon.
/// Runs as the machine's completion "thread" at each completion time.
/// </summary>
public sealed class SwapIo : IKernelThread
{
    private readonly Kernel _k;
    /// <summary>Requests in flight, oldest first: the device serves them in order, so they also complete in order.</summary>
    private readonly Queue<(long DoneAt, int[] Pages, int Count)> _inFlight = new();
    /// <summary>Page arrays of completed requests, reused by the next ones (no allocation per request).</summary>
    private readonly Stack<int[]> _spare = new();

    public SwapIo(Kernel kernel) => _k = kernel;

    public string Name => "swap-io";
    /// <summary>The swap disk's queue.</summary>
    public readonly BlockDevice Device = new();
    public Action<long>? Schedule;

    public bool Pending => _inFlight.Count > 0;

    /// <summary>The earliest completion still to come (0 if none).</summary>
    public long NextCompletion => _inFlight.Count > 0 ? _inFlight.Peek().DoneAt : 0;

    /// <summary>Requests the device holds at once (the block layer's nr_requests): a writer finding the queue
    /// full sleeps until a request completes, which is what keeps reclaim from writing far ahead of the disk.</summary>
    public const int QueueDepth = 128;

    /// <summary>Queues one write request for <paramref name="pages"/> (already marked under writeback).
    /// Returns when the submitter can go on: now, or later if the queue was full.</summary>
    public long Submit(List<int> pages, long now)
    {
        if (pages.Count == 0) return now;
        long start = now;
        CompleteUntil(now);
        if (_inFlight.Count >= QueueDepth)
        {
            // blk_mq_get_tag sleeps until a tag is free: the oldest outstanding request completes.
            start = Math.Max(now, _inFlight.Peek().DoneAt);
            CompleteUntil(start);
        }
        long finish = Device.Submit(start, _k.Latency.SwapWriteNs);
        var copy = _spare.Count > 0 && _spare.Peek().Length >= pages.Count ? _spare.Pop()
                 : new int[Math.Max(pages.Count, Reclaim.CostModel.SwapClusterMax)];
        pages.CopyTo(copy);
        _inFlight.Enqueue((finish, copy, pages.Count));
        Schedule?.Invoke(finish);
        return start;
    }

    /// <summary>A swap read (do_swap_page): queued behind the writes; returns when it completes.</summary>
    public long Read(long now) => Device.Submit(now, _k.Latency.SwapReadNs);

    public long Run(long now)
    {
        CompleteUntil(now);
        long next = NextCompletion;
        return next > 0 ? next : -1;
    }

    /// <summary>Completes every write still in flight (the run is over: see <see cref="Machine.SimMachine.Run"/>).</summary>
    public void Drain() => CompleteUntil(long.MaxValue);

    /// <summary>folio_end_writeback for every request finished by <paramref name="now"/>.</summary>
    public void CompleteUntil(long now)
    {
        while (_inFlight.Count > 0 && _inFlight.Peek().DoneAt <= now)
        {
            var (_, array, count) = _inFlight.Dequeue();
            var pages = array.AsSpan(0, count);
            foreach (int pfn in pages) _k.Phys.PrefetchFrame(pfn); // the request's frames, all misses at once
            foreach (int pfn in pages)
            {
                ref var f = ref _k.Frames[pfn];
                if ((f.Flags & (uint)FrameFlags.Writeback) == 0) continue;
                f.Flags &= ~(uint)FrameFlags.Writeback;
                _k.NrWriteback--;
                _k.Events.Inc(VmEvent.nr_written);
                if ((f.Flags & (uint)FrameFlags.Reclaim) == 0) continue;
                f.Flags &= ~(uint)FrameFlags.Reclaim;
                if ((f.Flags & (uint)(FrameFlags.Dirty | FrameFlags.Unevictable)) == 0 && _k.Lru.OnLru(pfn))
                {
                    // lru_move_tail_fn: off the active flag, to the inactive tail.
                    f.Flags &= ~(uint)FrameFlags.Active;
                    _k.Lru.AddTail(pfn, LruList.InactiveAnon);
                    _k.Events.Inc(VmEvent.pgrotated);
                }
            }
            _spare.Push(array);
        }
    }
}
