namespace MmSim.Physical;

/// <summary>
/// Builds the frame table and zones at boot: holes, boot-time reservations (see <see cref="ReservedMemory"/> for the
/// model), zone spans (<c>calculate_node_totalpages</c>, mm/mm_init.c) and the initial free lists
/// (<c>memblock_free_all</c> → <c>__free_pages_core</c>).
/// Zones: DMA = first 16 MiB, DMA32 = up to 4 GiB, Normal above; there is no PCI hole below 4 GiB (a real PC has
/// one, e.g. the reference machine's DMA32 has 782336 present of 1044480 spanned pages) and no ZONE_MOVABLE.
/// </summary>
internal static class BootMemory
{
    /// <summary>The calibrated kernel image + early allocations + firmware + first-MiB figure, kB.</summary>
    public const long FixedKernelKb = 47172;
    public const long SectionBytes = 128L << 20;   // SECTION_SIZE_BITS 27 (x86-64)
    public const int StructPageBytes = 64;
    public const long LowHoleStart = 0x9f000;
    public const long FirstMegabyte = 0x100000;
    public const long TopFirmwareBytes = 128 << 10;
    public const long DmaLimit = 16L << 20;
    public const long Dma32Limit = 4L << 30;

    internal sealed class Result
    {
        public required Frame[] Frames;
        public required Zone[] AllZones;
        public required ReservedMemory Reserved;
        public long Dma32StartPfn, NormalStartPfn;
    }

    private static readonly Frame FreeFrame = new() { Owner = -1, BuddyPrev = -1, BuddyNext = -1 };

    public static Result Build(PhysicalMemoryConfig cfg)
    {
        long ps = cfg.PageSize;
        int n = checked((int)(cfg.MemoryBytes / ps));
        var frames = HostHugePages.Allocate<Frame>(n);
        frames.AsSpan().Fill(FreeFrame);

        // memblock.memory, rounded inward to whole pages.
        long lowStart = CeilDiv(4096, ps), lowEnd = LowHoleStart / ps;
        if (lowEnd < lowStart) lowEnd = lowStart;
        long highStart = FirstMegabyte / ps, highEnd = (cfg.MemoryBytes - TopFirmwareBytes) / ps;
        const uint hole = (uint)(FrameFlags.Reserved | FrameFlags.NotPresent);
        MarkRange(frames, 0, lowStart, hole);
        MarkRange(frames, lowEnd, highStart, hole);
        MarkRange(frames, highEnd, n, hole);
        long presentPages = (lowEnd - lowStart) + (highEnd - highStart);

        long firstMib = lowEnd - lowStart, kernelPages, memmapPages;
        if (cfg.KernelReservedBytes is long kr)
        {
            long total = CeilDiv(kr, ps);
            if (total >= presentPages)
                PhysicalMemoryConfig.Fail($"kernel reserved memory ({kr} bytes) must be less than present memory " +
                                          $"({presentPages * ps} bytes) so that some memory remains managed");
            firstMib = Math.Min(firstMib, total);
            kernelPages = total - firstMib;
            memmapPages = 0;
        }
        else
        {
            kernelPages = CeilDiv(Math.Max(0, FixedKernelKb * 1024 - firstMib * ps), ps);
            long memmapBytes = StructPageBytes * (CeilDiv(cfg.MemoryBytes, SectionBytes) * SectionBytes / ps);
            memmapPages = CeilDiv(memmapBytes, ps);
            if (firstMib + kernelPages + memmapPages >= presentPages)
                PhysicalMemoryConfig.Fail($"memory of {cfg.MemoryBytes} bytes is too small: the kernel's reservations " +
                                          $"({(firstMib + kernelPages + memmapPages) * ps} bytes) leave no managed memory");
        }
        MarkRange(frames, lowStart, lowStart + firstMib, (uint)FrameFlags.Reserved);
        Reserve(frames, DmaLimit / ps, kernelPages, up: true);
        Reserve(frames, highEnd - 1, memmapPages, up: false);

        var reserved = new ReservedMemory
        {
            HolesKb = (n - presentPages) * ps / 1024,
            PresentKb = presentPages * ps / 1024,
            MemmapKb = memmapPages * ps / 1024,
            KernelKb = (firstMib + kernelPages) * ps / 1024,
            FirstMegabyteKb = firstMib * ps / 1024,
        };

        // Zone spans: the node spans [first present pfn, last present pfn + 1), clipped to each zone's range.
        long nodeStart = lowEnd > lowStart ? lowStart : highStart, nodeEnd = highEnd;
        long dma32Start = DmaLimit / ps, normalStart = Dma32Limit / ps;
        long[] lo = { 0, dma32Start, normalStart, long.MaxValue };
        long[] hi = { dma32Start, normalStart, long.MaxValue, long.MaxValue };
        var zones = new Zone[ZoneTypes.Count];
        for (int t = 0; t < ZoneTypes.Count; t++)
        {
            var z = zones[t] = new Zone((ZoneType)t);
            long s = Math.Max(lo[t], nodeStart), e = Math.Min(hi[t], nodeEnd);
            if (e <= s) continue;
            z.StartPfn = s;
            z.SpannedPages = e - s;
            InitZoneFreeLists(frames, z);
        }
        return new Result { Frames = frames, AllZones = zones, Reserved = reserved, Dma32StartPfn = dma32Start, NormalStartPfn = normalStart };
    }

    /// <summary>
    /// Count present/managed pages of the zone and free every run of managed frames in maximal aligned blocks
    /// (<c>__free_pages_memory</c>, mm/memblock.c). Boot memory goes to the tail of the free lists
    /// (<c>__free_pages_core</c> uses FPI_TO_TAIL), so early allocations come from low pfns.
    /// </summary>
    private static void InitZoneFreeLists(Frame[] frames, Zone z)
    {
        long present = 0, managed = 0;
        int end = (int)z.EndPfn;
        int pfn = (int)z.StartPfn;
        while (pfn < end)
        {
            uint flags = frames[pfn].Flags;
            if (flags != 0)
            {
                if ((flags & (uint)FrameFlags.NotPresent) == 0) present++;
                pfn++;
                continue;
            }
            int runEnd = pfn;
            while (runEnd < end && frames[runEnd].Flags == 0) runEnd++;
            present += runEnd - pfn;
            managed += runEnd - pfn;
            while (pfn < runEnd)
            {
                int order = pfn == 0 ? Buddy.MaxOrder : Math.Min(Buddy.MaxOrder, System.Numerics.BitOperations.TrailingZeroCount(pfn));
                while (pfn + (1 << order) > runEnd) order--;
                Buddy.AddToFreeList(frames, z, pfn, order);
                pfn += 1 << order;
            }
        }
        z.PresentPages = present;
        z.ManagedPages = managed;
        z.FreePages = managed;
        for (int o = 0; o <= Buddy.MaxOrder; o++) ReverseFreeList(frames, z, o);
    }

    private static void ReverseFreeList(Frame[] frames, Zone z, int order)
    {
        int cur = z.FreeHead[order], last = -1;
        while (cur >= 0)
        {
            ref Frame f = ref frames[cur];
            int next = f.BuddyNext;
            f.BuddyNext = f.BuddyPrev;
            f.BuddyPrev = next;
            last = cur;
            cur = next;
        }
        z.FreeHead[order] = last;
    }

    private static void MarkRange(Frame[] frames, long start, long end, uint flags)
    {
        for (long p = start; p < end; p++) frames[p].Flags = flags;
    }

    /// <summary>Mark <paramref name="count"/> present, not yet reserved frames Reserved, scanning from
    /// <paramref name="start"/> in one direction and then, if memory runs out, from <paramref name="start"/> in the other.</summary>
    private static void Reserve(Frame[] frames, long start, long count, bool up)
    {
        count = ReserveScan(frames, start, count, up);
        count = ReserveScan(frames, up ? start - 1 : start + 1, count, !up);
        if (count > 0) PhysicalMemoryConfig.Fail("memory is too small for the kernel's boot-time reservations");
    }

    private static long ReserveScan(Frame[] frames, long p, long count, bool up)
    {
        for (; count > 0 && p >= 0 && p < frames.Length; p += up ? 1 : -1)
        {
            if (frames[p].Flags != 0) continue;
            frames[p].Flags = (uint)FrameFlags.Reserved;
            count--;
        }
        return count;
    }

    internal static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
