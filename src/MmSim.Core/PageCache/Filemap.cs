using MmSim.Machine;
using MmSim.Physical;

namespace MmSim.PageCache;

/// <summary>
/// The page cache (mm/filemap.c): finding a file page and adding one (it goes to the inactive file LRU, as
/// <c>filemap_add_folio</c> does). How many pages one disk read brings in is <see cref="Readahead"/>'s business.
/// </summary>
public sealed class Filemap
{
    private readonly Kernel _k;

    public Filemap(Kernel kernel) => _k = kernel;

    /// <summary>Refault detection for pages coming back (set by the machine).</summary>
    public Reclaim.Workingset? Workingset { get; set; }

    /// <summary>filemap_get_folio: the frame caching page <paramref name="index"/> of the file, or -1.</summary>
    public int Find(SimFile file, long index) => file.CachePfn[index];

    /// <summary>
    /// filemap_add_folio: a new page for index <paramref name="index"/> of the file, inserted in the page cache and
    /// on the inactive file LRU. Returns the pfn, or -1 when no page could be allocated.
    /// </summary>
    public int AddPage(SimFile file, long index)
    {
        int pfn = _k.AllocUserPage();
        if (pfn < 0) return -1;
        ref var f = ref _k.Frames[pfn];
        f.Flags |= (uint)(FrameFlags.File | FrameFlags.Uptodate);
        f.Owner = file.Id;
        f.Index = index;
        f.Content = FileContent(file, index);
        file.CachePfn[index] = pfn;
        file.CachedPages++;
        _k.NrFilePages++;
        if (file.Shadow is { } shadows && shadows[index] != 0)
        {
            Workingset?.Refault(pfn, shadows[index]);
            shadows[index] = 0;
        }
        _k.Lru.Add(pfn);
        return pfn;
    }

    /// <summary>What a file page holds on disk: a token derived from the file and the page index.</summary>
    public static int FileContent(SimFile file, long index) => unchecked((file.Id + 1) * 1_000_003 + (int)index);
}
