using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.PageCache;

/// <summary>
/// Read-ahead (mm/readahead.c, and the mmap side in mm/filemap.c), 6.1:
/// <list type="bullet">
/// <item>a read() that misses starts a window sized by <c>get_init_ra_size</c>, marks its look-ahead page
/// PG_readahead, and waits for it (<c>page_cache_sync_ra</c> → <c>ondemand_readahead</c>);</item>
/// <item>reaching the marked page starts the next window without waiting (<c>page_cache_async_ra</c>), sized by
/// <c>get_next_ra_size</c>;</item>
/// <item>an mmap fault that misses reads ra_pages around the page (<c>do_sync_mmap_readahead</c>'s read-around,
/// a quarter of it asynchronous), unless the mapping misses far more than it hits (MMAP_LOTSAMISS);</item>
/// <item>an mmap fault on a marked page starts the next window (<c>do_async_mmap_readahead</c>).</item>
/// </list>
/// Each window is one disk request: its pages are in the page cache at once but under I/O (locked, not
/// uptodate) until the request completes; whoever needs one of them before then waits for it.
/// </summary>
public sealed class Readahead
{
    private const int MmapLotsamiss = 100;
    private readonly Kernel _k;
    private readonly Filemap _filemap;

    public Readahead(Kernel kernel, Filemap filemap)
    {
        _k = kernel;
        _filemap = filemap;
    }

    /// <summary>ra_pages: the device's read_ahead_kb in pages (default 128 KiB = 32 pages).</summary>
    public long MaxPages => Math.Max(0, _k.Vm.ReadAheadKb * 1024L / _k.PageSize);

    /// <summary>get_init_ra_size: the first window for a request of <paramref name="size"/> pages.</summary>
    public static long InitRaSize(long size, long max)
    {
        long newSize = RoundUpPow2(size);
        if (newSize <= max / 32) newSize *= 4;
        else if (newSize <= max / 4) newSize *= 2;
        else newSize = max;
        return newSize;
    }

    /// <summary>get_next_ra_size: the window after one of the current size.</summary>
    public static long NextRaSize(long cur, long max)
    {
        if (cur < max / 16) return 4 * cur;
        if (cur <= max / 2) return 2 * cur;
        return max;
    }

    private static long RoundUpPow2(long x)
    {
        long p = 1;
        while (p < x) p <<= 1;
        return p;
    }

    /// <summary>
    /// do_page_cache_ra / page_cache_ra_unbounded: one disk request for the missing pages of [start, start+count),
    /// marking page start+count−lookahead PG_readahead if this request allocated it. The request goes to the disk
    /// queue at <paramref name="now"/>; the pages are under I/O until it completes. Returns the pages read, or -1
    /// when no page could be allocated at all.
    /// </summary>
    public long Submit(SimFile file, long start, long count, long lookahead, long now)
    {
        long end = Math.Min(file.Pages, start + count);
        start = Math.Max(0, start);
        long mark = lookahead > 0 ? start + count - lookahead : -1;
        long read = 0;
        long first = -1, last = -1;
        bool missing = false;
        int held = _k.PinnedCount;
        for (long i = start; i < end; i++)
        {
            if (file.CachePfn[i] >= 0) continue;
            missing = true;
            int pfn = _filemap.AddPage(file, i);
            if (pfn < 0) break;
            // filemap_add_folio adds it locked: reclaim run by the next page's allocation must not take it.
            _k.Pin(pfn);
            if (i == mark) _k.Frames[pfn].Flags |= (uint)FrameFlags.Readahead;
            if (first < 0) first = i;
            last = i;
            read++;
        }
        _k.UnpinTo(held); // from here the read in flight keeps them locked (ReadyAt)
        if (read == 0) return missing ? -1 : 0;
        _k.Events.Add(VmEvent.pgpgin, _k.PagesToKb(read));
        file.AddInFlight(first, last + 1, _k.Disk.Submit(now, _k.Latency.MajorFaultNs));
        return read;
    }

    /// <summary>Clears PG_readahead on the page and tells whether it was set.</summary>
    public bool TestClearReadahead(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Readahead) == 0) return false;
        f.Flags &= ~(uint)FrameFlags.Readahead;
        return true;
    }

    /// <summary>do_sync_mmap_readahead: the read-around for an mmap fault that missed; the caller waits.</summary>
    public long SyncMmap(RaState ra, SimFile file, long pgoff, long now)
    {
        long max = MaxPages;
        if (max == 0) return Submit(file, pgoff, 1, 0, now);
        if (ra.MmapMiss < MmapLotsamiss * 10) ra.MmapMiss++;
        if (ra.MmapMiss > MmapLotsamiss) return Submit(file, pgoff, 1, 0, now);
        ra.Start = Math.Max(0, pgoff - max / 2);
        ra.Size = max;
        ra.AsyncSize = max / 4;
        return Submit(file, ra.Start, ra.Size, ra.AsyncSize, now);
    }

    /// <summary>do_async_mmap_readahead: a fault found its page in the cache; if the page carries the
    /// read-ahead mark, the next window is read without waiting.</summary>
    public void AsyncMmap(RaState ra, SimFile file, long pgoff, int pfn, long now)
    {
        if (ra.MmapMiss > 0) ra.MmapMiss--;
        if (MaxPages == 0 || !TestClearReadahead(pfn)) return;
        Ondemand(ra, file, pgoff, 1, hitMarker: true, now);
    }

    /// <summary>page_cache_sync_ra for read(): a miss at <paramref name="index"/> with
    /// <paramref name="reqSize"/> pages still wanted by the request.</summary>
    public long SyncRead(RaState ra, SimFile file, long index, long reqSize, long now)
    {
        if (MaxPages == 0) return Submit(file, index, Math.Max(1, Math.Min(reqSize, 1)), 0, now);
        return Ondemand(ra, file, index, reqSize, hitMarker: false, now);
    }

    /// <summary>page_cache_async_ra for read(): the page at <paramref name="index"/> carried the mark.</summary>
    public void AsyncRead(RaState ra, SimFile file, long index, long reqSize, int pfn, long now)
    {
        if (MaxPages == 0 || !TestClearReadahead(pfn)) return;
        Ondemand(ra, file, index, reqSize, hitMarker: true, now);
    }

    /// <summary>ondemand_readahead (6.1), without the context read-ahead of random reads.</summary>
    private long Ondemand(RaState ra, SimFile file, long index, long reqSize, bool hitMarker, long now)
    {
        long max = MaxPages;
        long expected = ra.Start + ra.Size - ra.AsyncSize;
        if (index == 0) goto Initial;
        if (hitMarker && (index == expected || index == ra.Start + ra.Size))
        {
            ra.Start += ra.Size;
            ra.Size = NextRaSize(ra.Size, max);
            ra.AsyncSize = ra.Size;
            goto Readit;
        }
        if (hitMarker)
        {
            long start = NextMiss(file, index + 1, max);
            if (start < 0 || start - index > max) return 0;
            ra.Start = start;
            ra.Size = start - index + reqSize;
            ra.Size = NextRaSize(ra.Size, max);
            ra.AsyncSize = ra.Size;
            goto Readit;
        }
        if (reqSize > max) goto Initial;
        if (index - ra.PrevIndex <= 1 && ra.PrevIndex >= 0) goto Initial;
        // A random read: just what was asked for.
        return Submit(file, index, reqSize, 0, now);

    Initial:
        ra.Start = index;
        ra.Size = InitRaSize(reqSize, max);
        ra.AsyncSize = ra.Size > reqSize ? ra.Size - reqSize : ra.Size;
    Readit:
        if (index == ra.Start && ra.Size == ra.AsyncSize)
        {
            long add = NextRaSize(ra.Size, max);
            if (ra.Size + add <= max)
            {
                ra.AsyncSize = add;
                ra.Size += add;
            }
            else
            {
                ra.Size = max;
                ra.AsyncSize = max >> 1;
            }
        }
        return Submit(file, ra.Start, ra.Size, ra.AsyncSize, now);
    }

    /// <summary>page_cache_next_miss: the first index ≥ start not in the cache, looking at most max pages.</summary>
    private static long NextMiss(SimFile file, long start, long max)
    {
        for (long i = start; i < Math.Min(file.Pages, start + max); i++)
            if (file.CachePfn[i] < 0) return i;
        return start + max < file.Pages ? -1 : file.Pages;
    }
}
