namespace MmSim.Physical;

/// <summary>Zone indices as on x86-64 (<c>enum zone_type</c>, include/linux/mmzone.h); ZONE_DEVICE is not modelled.</summary>
public enum ZoneType
{
    Dma = 0,
    Dma32 = 1,
    Normal = 2,
    Movable = 3,
}

public static class ZoneTypes
{
    /// <summary>MAX_NR_ZONES without ZONE_DEVICE.</summary>
    public const int Count = 4;

    /// <summary>The kernel's <c>zone_names[]</c> (mm/page_alloc.c), as /proc/zoneinfo and /proc/buddyinfo print them.</summary>
    public static string Name(ZoneType t) => t switch
    {
        ZoneType.Dma => "DMA",
        ZoneType.Dma32 => "DMA32",
        ZoneType.Normal => "Normal",
        ZoneType.Movable => "Movable",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary><c>is_highmem(zone) || zone_idx(zone) == ZONE_MOVABLE</c> as used by <c>__setup_per_zone_wmarks</c>
    /// (6.6+); x86-64 has no highmem.</summary>
    public static bool IsHighmemOrMovable(ZoneType t) => t == ZoneType.Movable;
}
