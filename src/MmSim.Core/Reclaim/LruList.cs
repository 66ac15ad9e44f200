namespace MmSim.Reclaim;

/// <summary>The five LRU lists of a lruvec (include/linux/mmzone.h, enum lru_list), in the kernel's order.</summary>
public enum LruList
{
    InactiveAnon = 0,
    ActiveAnon = 1,
    InactiveFile = 2,
    ActiveFile = 3,
    Unevictable = 4,
}
