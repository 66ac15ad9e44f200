namespace MmSim.Physical;

/// <summary>
/// <c>struct contig_page_info</c> (mm/vmstat.c): a zone's free pages, free blocks, and how many blocks of the
/// requested order its free blocks could supply; with the two external-fragmentation indices computed from it,
/// as /sys/kernel/debug/extfrag/unusable_index and extfrag_index show them (in thousandths).
/// </summary>
public readonly record struct ContigPageInfo(long FreePages, long FreeBlocksTotal, long FreeBlocksSuitable)
{
    /// <summary><c>fill_contig_page_info</c>: from the free-block count of every order (free_area[o].nr_free).</summary>
    public static ContigPageInfo Fill(IReadOnlyList<long> nrFree, int suitableOrder)
    {
        long pages = 0, total = 0, suitable = 0;
        for (int order = 0; order < nrFree.Count; order++)
        {
            long blocks = nrFree[order];
            total += blocks;
            pages += blocks << order;
            if (order >= suitableOrder) suitable += blocks << (order - suitableOrder);
        }
        return new ContigPageInfo(pages, total, suitable);
    }

    public static ContigPageInfo Fill(Zone zone, int suitableOrder) => Fill(zone.FreeBlocks, suitableOrder);

    /// <summary>
    /// <c>unusable_free_index</c>: the share of free memory, in thousandths, that is in blocks too small for an
    /// allocation of <paramref name="order"/>. 0: no fragmentation; 1000: all of it unusable (also when nothing
    /// is free).
    /// </summary>
    public static int UnusableFreeIndex(int order, ContigPageInfo info)
    {
        if (info.FreePages == 0) return 1000;
        return (int)((info.FreePages - (info.FreeBlocksSuitable << order)) * 1000 / info.FreePages);
    }

    /// <summary>
    /// <c>__fragmentation_index</c>: only meaningful when an allocation of <paramref name="order"/> would fail.
    /// −1000 if it would succeed; 0 with no free blocks; otherwise
    /// <c>1000 − (1000 + free_pages × 1000 / 2^order) / free_blocks_total</c>: towards 0 the failure is a lack
    /// of memory, towards 1000 external fragmentation (compaction's <c>vm.extfrag_threshold</c>, default 500).
    /// </summary>
    public static int FragmentationIndex(int order, ContigPageInfo info)
    {
        long requested = 1L << order;
        if (order > Buddy.MaxOrder) return 0;
        if (info.FreeBlocksTotal == 0) return 0;
        if (info.FreeBlocksSuitable != 0) return -1000;
        return (int)(1000 - (1000 + info.FreePages * 1000 / requested) / info.FreeBlocksTotal);
    }

    /// <summary>The debugfs form, "%d.%03d": 714 → "0.714", −1000 → "-1.000".</summary>
    public static string Format(int index) =>
        $"{(index < 0 ? "-" : "")}{Math.Abs(index) / 1000}.{Math.Abs(index) % 1000:000}";
}
