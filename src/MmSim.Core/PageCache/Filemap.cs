using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.PageCache;

/// <summary>
/// The page cache (mm/filemap.c, mm/readahead.c): finding a file page, adding pages read from disk (they go to
/// the inactive file LRU, as <c>filemap_add_folio</c> does), and the read-ahead windows that decide how many
/// pages one disk read brings in.
/// </summary>
public sealed class Filemap
{
    private readonly Kernel _k;

    public Filemap(Kernel kernel) => _k = kernel;

    /// <summary>ra_pages: the read-ahead window in pages (the device's read_ahead_kb, default 128 KiB).</summary>
    public int RaPages => Math.Max(0, _k.Vm.ReadAheadKb * 1024 / _k.PageSize);

    /// <summary>filemap_get_folio: the frame caching page <paramref name="index"/> of the file, or -1.</summary>
    public int Find(SimFile file, long index) => file.CachePfn[index];

    /// <summary>
    /// Reads pages [start, start+count) of the file into the page cache, skipping those already there: one disk
    /// request (<c>page_cache_ra_unbounded</c>). Returns how many pages were read, or -1 if not even one page
    /// could be allocated. Counts pgpgin in kB, as /proc/vmstat shows it.
    /// </summary>
    public long ReadIntoCache(SimFile file, long start, long count)
    {
        long end = Math.Min(file.Pages, start + count);
        long read = 0;
        for (long i = Math.Max(0, start); i < end; i++)
        {
            if (file.CachePfn[i] >= 0) continue;
            int pfn = _k.AllocUserPage();
            if (pfn < 0) return read == 0 ? -1 : read;
            ref var f = ref _k.Frames[pfn];
            f.Flags |= (uint)(FrameFlags.File | FrameFlags.Uptodate);
            f.Owner = file.Id;
            f.Index = i;
            f.Content = FileContent(file, i);
            file.CachePfn[i] = pfn;
            file.CachedPages++;
            _k.NrFilePages++;
            _k.Lru.Add(pfn);
            read++;
        }
        _k.Events.Add(VmEvent.pgpgin, _k.PagesToKb(read));
        return read;
    }

    /// <summary>What a file page holds on disk: a token derived from the file and the page index.</summary>
    public static int FileContent(SimFile file, long index) => unchecked((file.Id + 1) * 1_000_003 + (int)index);

    /// <summary>
    /// The mmap read-around window of do_sync_mmap_readahead (mm/filemap.c): ra_pages centred on the faulting
    /// page, or just the page when read-ahead is off or the file's mmap misses exceed MMAP_LOTSAMISS (100).
    /// </summary>
    public (long Start, long Count) MmapReadAround(SimFile file, long pgoff)
    {
        int ra = RaPages;
        if (ra == 0) return (pgoff, 1);
        if (file.MmapMiss < 100 * 10) file.MmapMiss++;
        if (file.MmapMiss > 100) return (pgoff, 1);
        long start = Math.Max(0, pgoff - ra / 2);
        return (start, ra);
    }
}
