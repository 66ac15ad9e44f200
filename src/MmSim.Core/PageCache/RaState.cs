namespace MmSim.PageCache;

/// <summary>
/// <c>struct file_ra_state</c>: the read-ahead window of one open file (one mmap or one read_file step): where
/// the last window started, its size, how much of it is the asynchronous part, and mmap's miss count.
/// </summary>
public sealed class RaState
{
    public long Start;
    public long Size;
    public long AsyncSize;
    /// <summary>The page index of the previous read (prev_pos), -1 before the first.</summary>
    public long PrevIndex = -1;
    /// <summary>mmap_miss: faults that missed the page cache, less those served by fault-around.</summary>
    public int MmapMiss;
}
