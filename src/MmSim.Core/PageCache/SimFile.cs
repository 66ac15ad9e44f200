namespace MmSim.PageCache;

/// <summary>
/// A file of the scenario (an inode and its address_space). <see cref="CachePfn"/> is the page cache: for each
/// page index, the frame holding it or -1 (the kernel keeps an xarray; a flat array is enough for the sizes here).
/// </summary>
public sealed class SimFile
{
    public int Id { get; }
    public string Path { get; }
    public long SizeBytes { get; }
    public long Pages { get; }
    public readonly int[] CachePfn;
    /// <summary>Pages of this file in the page cache.</summary>
    public long CachedPages;
    /// <summary>file_ra_state.mmap_miss: mmap faults that missed, used to stop read-around on random access.</summary>
    public int MmapMiss;

    public SimFile(int id, string path, long sizeBytes, int pageSize)
    {
        Id = id;
        Path = path;
        SizeBytes = sizeBytes;
        Pages = (sizeBytes + pageSize - 1) / pageSize;
        if (Pages > int.MaxValue) throw new InputException("scenario", 0, $"file {path} is too large for the model");
        CachePfn = new int[Pages];
        Array.Fill(CachePfn, -1);
    }
}
