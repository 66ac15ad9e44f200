using CsCheck;
using MmSim.Physical;

namespace MmSim.Tests.Physical;

/// <summary>
/// The buddy allocator on a 64 MiB machine (16384 frames at 4 KiB), worked out by hand:
/// holes pfn 0, 0x9f..0xff and the top 32 pages (16352..16383); first-MiB reserve pfn 1..158; kernel image
/// (47172 − 632 = 46540 kB = 11635 pages) at 4096..15730; memmap (2 MiB = 512 pages) at 15840..16351.
/// Free: DMA 256..4095 → order 8 at 256, order 9 at 512, order 10 at 1024, 2048, 3072;
///       DMA32 15731..15839 (109 pages) → order 0 at 15731, 2 at 15732, 3 at 15736, 6 at 15744, 5 at 15808.
/// MemTotal (3840 + 109)·4 = 15796 kB; min_free_kbytes = int_sqrt(15796·16 = 252736) = 502; pages_min 125;
/// DMA: tmp 125·3840/3949 = 121, delta max(30, 3) → 121/151/181; DMA32: tmp 125·109/3949 = 3, delta 0 → 3/3/3;
/// DMA's protection for DMA32 allocations = 109/256 = 0.
/// </summary>
public class BuddyAllocatorTests
{
    private const string FreshBuddyInfo =
        "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n" +
        "Node 0, zone    DMA32      1      0      1      1      0      1      1      0      0      0      0 \n";

    private static PhysicalMemory Small() => BootMemoryTests.Machine(64);

    [Fact]
    public void FreshMachine_BuddyInfo()
    {
        var m = Small();
        Assert.Equal(FreshBuddyInfo, m.FormatBuddyInfo());
        Assert.Equal(15796, m.TotalRamPages * 4);
        Assert.Equal(502, m.MinFreeKbytes);
        Assert.Equal((121L, 151L, 181L), (m.Zones[0].WatermarkMin, m.Zones[0].WatermarkLow, m.Zones[0].WatermarkHigh));
        Assert.Equal((3L, 3L, 3L), (m.Zones[1].WatermarkMin, m.Zones[1].WatermarkLow, m.Zones[1].WatermarkHigh));
        m.CheckInvariants();
    }

    [Fact]
    public void AllocAndFree_SplitAndMerge()
    {
        var m = Small();
        int a = m.AllocPage(ZoneType.Normal, AllocFlags.WmarkLow);   // Normal is empty: falls to DMA32
        Assert.Equal(15731, a);
        int b = m.AllocPages(1, ZoneType.Dma32, AllocFlags.WmarkLow); // splits the order-2 block at 15732
        Assert.Equal(15732, b);
        Assert.Equal("Node 0, zone    DMA32      0      1      0      1      0      1      1      0      0      0      0 \n",
            m.FormatBuddyInfo().Split('\n')[1] + "\n");
        ref Frame f = ref m.Frames[b + 1];
        Assert.Equal((uint)FrameFlags.Allocated, f.Flags);
        Assert.Equal((-1, 0L, 0, 0, 0), (f.Owner, f.Index, f.MapCount, f.PteHint, f.LruSlot)); // no buddy links left behind
        Assert.Equal(3, m.Zones[1].AllocCount);
        Assert.Equal(m.TotalRamPages - 3, m.NrFreePages);
        m.CheckInvariants();
        m.FreePages(b, 1);
        m.FreePage(a);
        Assert.Equal(FreshBuddyInfo, m.FormatBuddyInfo());
        Assert.Equal(0, m.Frames[b].Owner + 1);
        // b + 1 is inside the merged block again: a plain free frame, off every list.
        Assert.Equal((0u, -1, -1, 0L), (m.Frames[b + 1].Flags, m.Frames[b + 1].BuddyPrev, m.Frames[b + 1].BuddyNext, m.Frames[b + 1].Index));
        m.CheckInvariants();
    }

    [Fact]
    public void FallsBackToDmaWhenDma32HitsItsWatermark()
    {
        var m = Small();
        // DMA32 passes LOW (3) while free > 3: 106 pages come from it, then DMA (free 3840 > 151 + 0) serves.
        for (int i = 0; i < 106; i++) Assert.True(m.AllocPage(ZoneType.Dma32, AllocFlags.WmarkLow) >= 15731);
        Assert.Equal(3, m.Zones[1].FreePages);
        Assert.Equal(256, m.AllocPage(ZoneType.Dma32, AllocFlags.WmarkLow));
        Assert.Equal((1L, 106L), (m.Zones[0].AllocCount, m.Zones[1].AllocCount));
        // Ignoring watermarks takes DMA32's last pages.
        Assert.True(m.AllocPage(ZoneType.Dma32, AllocFlags.NoWatermarks) >= 15731);
        Assert.Equal(2, m.Zones[1].FreePages);
        m.CheckInvariants();
    }

    [Fact]
    public void DmaOnlyRequestsNeverTouchDma32()
    {
        var m = Small();
        int pfn = m.AllocPages(10, ZoneType.Dma, AllocFlags.WmarkLow);
        Assert.Equal(1024, pfn);
        Assert.Equal(m.Zones[0], m.ZoneOf(pfn));
        Assert.Equal(1024, m.Zones[0].AllocCount);
    }

    [Fact]
    public void HighOrderNeedsABlockOfThatOrder()
    {
        var m = Small();
        var dma32 = m.Zones[1];
        Assert.True(m.ZoneWatermarkOk(dma32, 6, 0, ZoneType.Dma32, AllocFlags.WmarkMin));
        Assert.False(m.ZoneWatermarkOk(dma32, 7, 0, ZoneType.Dma32, AllocFlags.WmarkMin));
        // An order-7 request from DMA32 downwards is served by DMA.
        int pfn = m.AllocPages(7, ZoneType.Dma32, AllocFlags.WmarkLow);
        Assert.Equal(256, pfn);
        m.CheckInvariants();
    }

    [Fact]
    public void WatermarkReserveCuts()
    {
        var m = BootMemoryTests.Machine(384);
        var z = m.Zones[1];
        long free = z.FreePages;
        // Plain: ok iff free > mark.
        Assert.True(m.ZoneWatermarkOk(z, 0, free - 1, ZoneType.Dma32, AllocFlags.WmarkMin));
        Assert.False(m.ZoneWatermarkOk(z, 0, free, ZoneType.Dma32, AllocFlags.WmarkMin));
        // __GFP_HIGH: min − min/2 = ⌈mark/2⌉.
        Assert.True(m.ZoneWatermarkOk(z, 0, 2 * (free - 1), ZoneType.Dma32, AllocFlags.MinReserve));
        Assert.False(m.ZoneWatermarkOk(z, 0, 2 * free, ZoneType.Dma32, AllocFlags.MinReserve));
        // GFP_ATOMIC: mark 8k → 4k → 3k. free = 81005: k = 27001 → 81003 passes, k = 27002 → 81006 fails.
        Assert.Equal(81005, free);
        Assert.True(m.ZoneWatermarkOk(z, 0, 8 * 27001, ZoneType.Dma32, AllocFlags.MinReserve | AllocFlags.NonBlock));
        Assert.False(m.ZoneWatermarkOk(z, 0, 8 * 27002, ZoneType.Dma32, AllocFlags.MinReserve | AllocFlags.NonBlock));
        // NonBlock alone (GFP_NOWAIT) gets no cut.
        Assert.False(m.ZoneWatermarkOk(z, 0, free, ZoneType.Dma32, AllocFlags.NonBlock));
        // OOM victim: min − min/2.
        Assert.True(m.ZoneWatermarkOk(z, 0, 2 * (free - 1), ZoneType.Dma32, AllocFlags.Oom));
        Assert.False(m.ZoneWatermarkOk(z, 0, 2 * free, ZoneType.Dma32, AllocFlags.Oom));
        // Order 1 cannot use the last page: free − 1 must exceed the mark.
        Assert.False(m.ZoneWatermarkOk(z, 1, free - 1, ZoneType.Dma32, AllocFlags.WmarkMin));
        Assert.True(m.ZoneWatermarkOk(z, 1, free - 2, ZoneType.Dma32, AllocFlags.WmarkMin));
        // lowmem_reserve: DMA keeps 316 pages from DMA32-capable requests.
        var dma = m.Zones[0];
        Assert.True(m.ZoneWatermarkOk(dma, 0, 3840 - 316 - 1, ZoneType.Dma32, AllocFlags.WmarkMin));
        Assert.False(m.ZoneWatermarkOk(dma, 0, 3840 - 316, ZoneType.Dma32, AllocFlags.WmarkMin));
        Assert.True(m.ZoneWatermarkOk(dma, 0, 3840 - 316, ZoneType.Dma, AllocFlags.WmarkMin));
    }

    [Fact]
    public void BadFreesThrow()
    {
        var m = Small();
        int a = m.AllocPage(ZoneType.Dma32, AllocFlags.WmarkLow);
        m.FreePage(a);
        Assert.Throws<InvalidOperationException>(() => m.FreePage(a));        // double free
        Assert.Throws<InvalidOperationException>(() => m.FreePage(4096));     // reserved
        Assert.Throws<InvalidOperationException>(() => m.FreePage(300));      // free, inside a block
        Assert.Throws<ArgumentOutOfRangeException>(() => m.FreePages(257, 1)); // misaligned
        Assert.Throws<ArgumentOutOfRangeException>(() => m.FreePages(256, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.FreePage(1 << 20));
        m.CheckInvariants();
    }

    [Fact]
    public void DrainEverythingAndGiveItBack()
    {
        var m = Small();
        var pfns = new List<int>();
        for (int p; (p = m.AllocPage(ZoneType.Dma32, AllocFlags.NoWatermarks)) >= 0;) pfns.Add(p);
        Assert.Equal(m.TotalRamPages, pfns.Count);
        Assert.Equal(0, m.NrFreePages);
        m.CheckInvariants();
        for (int i = pfns.Count - 1; i >= 0; i -= 2) m.FreePage(pfns[i]);
        for (int i = pfns.Count - 2; i >= 0; i -= 2) m.FreePage(pfns[i]);
        Assert.Equal(FreshBuddyInfo, m.FormatBuddyInfo());
        m.CheckInvariants();
    }

    [Fact]
    public void CheckInvariants_DetectsCorruption()
    {
        var m = Small();
        m.Frames[300].Flags = (uint)FrameFlags.Allocated;
        Assert.Contains("300", Assert.Throws<InvalidOperationException>(m.CheckInvariants).Message);
        m = Small();
        m.Zones[0].FreeBlocks[10]++;
        Assert.Throws<InvalidOperationException>(m.CheckInvariants);
    }

    /// <summary>Random alloc/free sequences of random orders keep the invariants and, once everything is freed,
    /// leave the original free count and fully re-merged blocks (the boot buddyinfo).</summary>
    [Fact]
    public void RandomAllocFree_KeepsInvariantsAndRemerges()
    {
        var op = Gen.Select(Gen.Bool, Gen.Int[0, Buddy.MaxOrder], Gen.Int[0, 1000], Gen.Int[0, 2]);
        op.Array[1, 80].Sample(ops =>
        {
            var m = Small();
            long initialFree = m.NrFreePages;
            var held = new List<(int Pfn, int Order)>();
            foreach (var (alloc, order, pick, zone) in ops)
            {
                if (alloc || held.Count == 0)
                {
                    int o = order % 4 == 0 ? order : order / 3; // bias towards small orders
                    int pfn = m.AllocPages(o, (ZoneType)zone, zone == 0 ? AllocFlags.NoWatermarks : AllocFlags.WmarkMin);
                    if (pfn >= 0) held.Add((pfn, o));
                }
                else
                {
                    int i = pick % held.Count;
                    m.FreePages(held[i].Pfn, held[i].Order);
                    held.RemoveAt(i);
                }
                m.CheckInvariants();
            }
            foreach (var (pfn, o) in held) m.FreePages(pfn, o);
            m.CheckInvariants();
            Assert.Equal(initialFree, m.NrFreePages);
            Assert.Equal(FreshBuddyInfo, m.FormatBuddyInfo());
        }, iter: 150, threads: 1);
    }
}
