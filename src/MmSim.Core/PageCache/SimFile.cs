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
    private readonly List<(long Start, long End, long DoneAt)> _inFlight = new();
    /// <summary>i_mmap: the mappings of this file, for the reverse map.</summary>
    public readonly List<(Mm.MmStruct Mm, Mm.Vma Vma)> Mappings = new();
    /// <summary>Workingset shadow entries left where evicted pages were (0 = none); allocated on first eviction.</summary>
    public long[]? Shadow;
    /// <summary>When each dirty page was dirtied (for dirty_expire_centisecs); allocated on first dirtying.</summary>
    public long[]? DirtiedAt;

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

    /// <summary>Records a disk read of pages [start, end) that completes at <paramref name="doneAt"/>.</summary>
    public void AddInFlight(long start, long end, long doneAt) => _inFlight.Add((start, end, doneAt));

    /// <summary>When page <paramref name="index"/> becomes uptodate: 0 if it is not under I/O after
    /// <paramref name="now"/>. Finished reads are forgotten.</summary>
    public long ReadyAt(long index, long now)
    {
        long ready = 0;
        for (int i = _inFlight.Count - 1; i >= 0; i--)
        {
            var r = _inFlight[i];
            if (r.DoneAt <= now) { _inFlight.RemoveAt(i); continue; }
            if (index >= r.Start && index < r.End) ready = Math.Max(ready, r.DoneAt);
        }
        return ready;
    }
}
