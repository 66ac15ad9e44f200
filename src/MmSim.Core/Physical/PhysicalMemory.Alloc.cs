namespace MmSim.Physical;

public sealed partial class PhysicalMemory
{
    /// <summary>Allocate one page; returns its pfn or −1. See <see cref="AllocPages"/>.</summary>
    public int AllocPage(ZoneType highestZone, AllocFlags flags) => AllocPages(0, highestZone, flags);

    /// <summary>
    /// <c>get_page_from_freelist</c> (mm/page_alloc.c): walk the zonelist from <paramref name="highestZone"/> down to
    /// ZONE_DMA; the first zone whose free pages pass the watermark chosen by <c>flags &amp; ALLOC_WMARK_MASK</c> plus
    /// <c>lowmem_reserve[highestZone]</c> (or any zone, with <see cref="AllocFlags.NoWatermarks"/>) gives a block of
    /// 2^order pages from its buddy lists. Returns the head pfn, or −1 (the caller runs the slow path).
    /// The frames get <see cref="FrameFlags.Allocated"/>, Owner −1, the rest zero.
    /// </summary>
    public int AllocPages(int order, ZoneType highestZone, AllocFlags flags)
    {
        if ((uint)order > Buddy.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"order must be 0..{Buddy.MaxOrder}");
        if ((uint)highestZone >= ZoneTypes.Count)
            throw new ArgumentOutOfRangeException(nameof(highestZone), highestZone, "not a zone type");
        var frames = Frames;
        for (int t = (int)highestZone; t >= 0; t--)
        {
            Zone z = _zones[t];
            if (z.ManagedPages == 0) continue; // the zonelist holds managed zones only
            if ((flags & AllocFlags.NoWatermarks) == 0
                && !ZoneWatermarkOk(z, order, z.WmarkPages(flags), highestZone, flags))
                continue;
            int pfn = Buddy.RmqueueSmallest(frames, z, order);
            if (pfn < 0) continue;
            int end = pfn + (1 << order);
            for (int p = pfn; p < end; p++) frames[p] = AllocatedFrame;
            z.AllocCount += 1L << order; // __count_zid_vm_events(PGALLOC, zid, 1 << order)
            return pfn;
        }
        return -1;
    }

    /// <summary>Free one page allocated with order 0.</summary>
    public void FreePage(int pfn) => FreePages(pfn, 0);

    /// <summary>
    /// <c>__free_pages</c> → <c>__free_one_page</c>: return an allocated block of 2^order pages; it merges with free
    /// buddies. Throws <see cref="InvalidOperationException"/> if any frame of the block is not allocated (double
    /// free, freeing a reserved frame) and <see cref="ArgumentOutOfRangeException"/> for a bad pfn or order.
    /// </summary>
    public void FreePages(int pfn, int order)
    {
        if ((uint)order > Buddy.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"order must be 0..{Buddy.MaxOrder}");
        if (pfn < 0 || (long)pfn + (1L << order) > TotalFrames || (pfn & ((1 << order) - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pfn), pfn, $"pfn must be a 2^{order}-aligned block inside [0, {TotalFrames})");
        var frames = Frames;
        int end = pfn + (1 << order);
        for (int p = pfn; p < end; p++)
        {
            uint f = frames[p].Flags;
            if ((f & (uint)FrameFlags.Allocated) == 0 || (f & (uint)(FrameFlags.Reserved | FrameFlags.Buddy)) != 0)
                throw new InvalidOperationException($"freeing pfn {p} (block {pfn} order {order}) which is not allocated (flags 0x{f:x}): double free?");
        }
        for (int p = pfn; p < end; p++) frames[p] = FreeFrame;
        Buddy.FreeOnePage(frames, ZoneOf(pfn), pfn, order);
    }

    /// <summary>
    /// <c>__zone_watermark_ok</c> (mm/page_alloc.c): free pages minus the 2^order − 1 that a block of this order
    /// cannot use must exceed mark (less ½ for ALLOC_MIN_RESERVE, a further ¼ of the rest with ALLOC_NON_BLOCK, and
    /// ½ for ALLOC_OOM) plus <c>lowmem_reserve[highestZone]</c>; a high-order request also needs a free block of at
    /// least that order. No highatomic or CMA reserves are modelled.
    /// </summary>
    public bool ZoneWatermarkOk(Zone z, int order, long mark, ZoneType highestZone, AllocFlags flags)
    {
        long free = z.FreePages - ((1L << order) - 1);
        long min = mark;
        if ((flags & AllocFlags.MinReserve) != 0)
        {
            min -= min / 2;
            if ((flags & AllocFlags.NonBlock) != 0) min -= min / 4;
        }
        if ((flags & AllocFlags.Oom) != 0) min -= min / 2;
        if (free <= min + z.LowmemReserve[(int)highestZone]) return false;
        if (order == 0) return true;
        for (int o = order; o <= Buddy.MaxOrder; o++)
            if (z.FreeBlocks[o] != 0) return true;
        return false;
    }

    private static readonly Frame AllocatedFrame = new() { Flags = (uint)FrameFlags.Allocated, Owner = -1 };
    private static readonly Frame FreeFrame = new() { Owner = -1, BuddyPrev = -1, BuddyNext = -1 };
}
