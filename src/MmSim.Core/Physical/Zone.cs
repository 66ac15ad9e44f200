namespace MmSim.Physical;

/// <summary>
/// A memory zone (<c>struct zone</c>, include/linux/mmzone.h) of the single node: its span, page counts,
/// watermarks, lowmem reserve (zoneinfo's "protection") and the buddy free lists (<c>free_area[]</c>).
/// Free lists are intrusive doubly-linked lists through <see cref="Frame.BuddyPrev"/>/<see cref="Frame.BuddyNext"/>, one per
/// order; migratetypes are not modelled (one list per order).
/// </summary>
public sealed class Zone
{
    /// <summary>NR_PAGE_ORDERS: orders 0 .. <see cref="Buddy.MaxOrder"/>.</summary>
    public const int NrOrders = Buddy.MaxOrder + 1;

    public ZoneType Type { get; }
    public string Name { get; }

    /// <summary>zone_start_pfn: the first pfn of the zone's span (0 if the zone is empty).</summary>
    public long StartPfn { get; internal set; }
    public long SpannedPages { get; internal set; }
    public long PresentPages { get; internal set; }
    public long ManagedPages { get; internal set; }
    /// <summary>pfn one past the span.</summary>
    public long EndPfn => StartPfn + SpannedPages;
    /// <summary>populated_zone(): has present pages.</summary>
    public bool IsPopulated => PresentPages > 0;

    /// <summary>NR_FREE_PAGES of this zone.</summary>
    public long FreePages { get; internal set; }

    public long WatermarkMin { get; internal set; }
    public long WatermarkLow { get; internal set; }
    public long WatermarkHigh { get; internal set; }
    public long WatermarkPromo { get; internal set; }
    /// <summary>watermark_boost: always 0 here (boosting is not modelled by this layer), but included in
    /// <see cref="WmarkPages"/> like the kernel's <c>wmark_pages()</c>.</summary>
    public long WatermarkBoost { get; internal set; }

    /// <summary>lowmem_reserve[] (zoneinfo "protection"), indexed by the allocation's highest <see cref="ZoneType"/>.</summary>
    public long[] LowmemReserve { get; } = new long[ZoneTypes.Count];

    /// <summary>free_area[order].nr_free: free blocks per order (what /proc/buddyinfo prints).</summary>
    public long[] FreeBlocks { get; } = new long[NrOrders];

    /// <summary>pgalloc_&lt;zone&gt;: pages allocated from this zone (2^order per allocation).</summary>
    public long AllocCount { get; internal set; }

    /// <summary>Head pfn of each order's free list, -1 = empty.</summary>
    internal readonly int[] FreeHead = new int[NrOrders];

    internal Zone(ZoneType type)
    {
        Type = type;
        Name = ZoneTypes.Name(type);
        Array.Fill(FreeHead, -1);
    }

    /// <summary><c>wmark_pages(z, i)</c>: _watermark[i] + watermark_boost for the watermark selected by
    /// <c>flags &amp; ALLOC_WMARK_MASK</c>.</summary>
    public long WmarkPages(AllocFlags flags) => ((int)flags & AllocFlagBits.WmarkMask) switch
    {
        0 => WatermarkMin + WatermarkBoost,
        1 => WatermarkLow + WatermarkBoost,
        _ => WatermarkHigh + WatermarkBoost,
    };

    public override string ToString() => $"{Name} [{StartPfn:x}, {EndPfn:x}) managed {ManagedPages} free {FreePages}";
}
