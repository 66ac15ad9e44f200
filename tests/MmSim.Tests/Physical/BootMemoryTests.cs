using System.Diagnostics;
using MmSim.Physical;

namespace MmSim.Tests.Physical;

/// <summary>The calibrated boot-memory model (qemu, Debian 6.1) and the boot-time watermarks.</summary>
public class BootMemoryTests
{
    internal static PhysicalMemory Machine(long mib, Action<PhysicalMemoryConfig>? tweak = null)
    {
        var cfg = new PhysicalMemoryConfig { MemoryBytes = mib << 20 };
        tweak?.Invoke(cfg);
        return new PhysicalMemory(cfg);
    }

    [Fact]
    public void Qemu384_MatchesBootLine()
    {
        var m = Machine(384);
        // Memory: 339380K/392696K available (..., 53316K reserved ...)
        Assert.Equal(339380, m.TotalRamPages * 4);
        Assert.Equal(392696, m.Reserved.PresentKb);
        Assert.Equal(53316, m.Reserved.ReservedKb);
        Assert.Equal(339380, m.Reserved.AvailableKb);
        Assert.Equal(6144, m.Reserved.MemmapKb);
        Assert.Equal(47172, m.Reserved.KernelKb);
        Assert.Equal(632, m.Reserved.FirstMegabyteKb);
        Assert.Equal(520, m.Reserved.HolesKb);
        Assert.Equal(m.TotalRamPages, m.NrFreePages);
        m.CheckInvariants();
    }

    [Fact]
    public void Qemu512_MatchesBootLine()
    {
        var m = Machine(512);
        Assert.Equal(468404, m.TotalRamPages * 4);
        Assert.Equal(523768, m.Reserved.PresentKb);
        Assert.Equal(55364, m.Reserved.ReservedKb);
        Assert.Equal(8192, m.Reserved.MemmapKb);
        // THP is switched off below 512 MiB of totalram (hugepage_init), so the sqrt rule stands:
        // int_sqrt(468404 * 16) = int_sqrt(7494464) = 2737.
        Assert.Equal(2737, m.MinFreeKbytes);
    }

    [Fact]
    public void Qemu384_ZonesAndSpans()
    {
        var m = Machine(384);
        Assert.Equal(new[] { "DMA", "DMA32" }, m.Zones.Select(z => z.Name));
        Assert.False(m.GetZone(ZoneType.Normal).IsPopulated);
        var dma = m.Zones[0];
        Assert.Equal(ZoneType.Dma, dma.Type);
        Assert.Equal(1, dma.StartPfn);
        Assert.Equal(4095, dma.SpannedPages);   // like the reference machine
        Assert.Equal(3998, dma.PresentPages);   // like the reference machine
        Assert.Equal(3840, dma.ManagedPages);   // the whole first MiB is reserved
        var dma32 = m.Zones[1];
        Assert.Equal(4096, dma32.StartPfn);
        Assert.Equal(98304 - 32 - 4096, dma32.SpannedPages);
        Assert.Equal(94176, dma32.PresentPages);
        Assert.Equal(81005, dma32.ManagedPages);
        Assert.Equal(dma, m.ZoneOf(0));
        Assert.Equal(dma32, m.ZoneOf(98303));
        // Kernel image right after 16 MiB, memmap at the top of DMA32, holes not present.
        Assert.True(m.Frames[4096].IsReserved());
        Assert.True(m.Frames[4096 + 11634].IsReserved());
        Assert.False(m.Frames[4096 + 11635].IsReserved());
        Assert.True(m.Frames[98271].IsReserved());
        Assert.True(m.Frames[98271 - 1535].IsReserved());
        Assert.False(m.Frames[98271 - 1536].IsReserved());
        Assert.True(m.Frames[98272].Has(FrameFlags.NotPresent));
        Assert.True(m.Frames[0].Has(FrameFlags.NotPresent));
        Assert.True(m.Frames[0x9f].Has(FrameFlags.NotPresent));
        Assert.False(m.Frames[0x9e].Has(FrameFlags.NotPresent));
        Assert.True(m.Frames[0x9e].IsReserved());
    }

    /// <summary>
    /// 384 MiB by hand. managed DMA 3840, DMA32 81005 (Σ 84845 pages = 339380 kB); THP off (&lt; 512 MiB).
    /// min_free_kbytes = int_sqrt(339380·16 = 5430080) = 2330 (2330² = 5428900, 2331² = 5433561).
    /// pages_min = 2330/4 = 582.
    /// DMA:   tmp = 582·3840/84845 = 2234880/84845 = 26; delta = max(26/4 = 6, 3840·10/10000 = 3) = 6
    ///        → 26 / 32 / 38 / 44.
    /// DMA32: tmp = 582·81005/84845 = 47144910/84845 = 555; delta = max(555/4 = 138, 81) = 138
    ///        → 555 / 693 / 831 / 969.
    /// protection: DMA[DMA32] = DMA[Normal] = DMA[Movable] = 81005/256 = 316; DMA32: 0 (nothing above it).
    /// totalreserve = min(3840, 316 + 38) + min(81005, 0 + 831) = 354 + 831 = 1185.
    /// </summary>
    [Fact]
    public void Qemu384_Watermarks()
    {
        var m = Machine(384);
        Assert.Equal(2330, m.MinFreeKbytes);
        var dma = m.Zones[0];
        Assert.Equal((26, 32, 38, 44), (dma.WatermarkMin, dma.WatermarkLow, dma.WatermarkHigh, dma.WatermarkPromo));
        var dma32 = m.Zones[1];
        Assert.Equal((555, 693, 831, 969), (dma32.WatermarkMin, dma32.WatermarkLow, dma32.WatermarkHigh, dma32.WatermarkPromo));
        Assert.Equal(new long[] { 0, 316, 316, 316 }, dma.LowmemReserve);
        Assert.Equal(new long[] { 0, 0, 0, 0 }, dma32.LowmemReserve);
        Assert.Equal(1185, m.TotalReservePages);
        var movable = m.GetZone(ZoneType.Movable);
        Assert.Equal(32, movable.WatermarkHigh);
    }

    /// <summary>
    /// 1 GiB: managed 3840 + 242285 = 246125 pages (memmap 16384 kB). Boot sqrt rule: int_sqrt(984500·16) = 3968;
    /// pages_min 992 → DMA high 15 + 2·3 = 21, DMA32 high 976 + 2·244 = 1464. khugepaged (madvise):
    /// 512·2·11 = 11264 pages, cap (3819 + 240821)/20 = 12232 → 45056 kB. THP never: recalculated with the
    /// watermarks set: int_sqrt(244640·4·16) = 3956.
    /// </summary>
    [Theory]
    [InlineData("madvise", 45056)]
    [InlineData("always", 45056)]
    [InlineData("never", 3956)]
    public void OneGiB_ThpAdjustsMinFreeKbytes(string thp, long expected)
    {
        var m = Machine(1024, c => c.TransparentHugepage = thp);
        Assert.Equal(246125, m.TotalRamPages);
        Assert.Equal(expected, m.MinFreeKbytes);
    }

    [Fact]
    public void ExplicitMinFreeKbytes_OverridesEverything()
    {
        var m = Machine(1024, c => c.MinFreeKbytes = 10000);
        Assert.Equal(10000, m.MinFreeKbytes);
        Assert.Equal(10000, m.UserMinFreeKbytes);
        var w = Watermarks.Setup(m.AllZones.Select(z => z.ManagedPages).ToArray(), 10000, 10);
        Assert.Equal(w.Min[1], m.Zones[1].WatermarkMin);
    }

    [Fact]
    public void Sysctls_RecomputeWatermarksAndTotalReserve()
    {
        var m = Machine(384);
        m.SetWatermarkScaleFactor(100);
        // DMA32 delta = max(138, 81005·100/10000 = 810) = 810.
        Assert.Equal((555, 1365, 2175, 2985), (m.Zones[1].WatermarkMin, m.Zones[1].WatermarkLow, m.Zones[1].WatermarkHigh, m.Zones[1].WatermarkPromo));
        // DMA delta = max(6, 38) = 38 → high 102; totalreserve = (316 + 102) + 2175.
        Assert.Equal(418 + 2175, m.TotalReservePages);
        m.SetMinFreeKbytes(8192);
        // pages_min 2048: DMA32 tmp = 2048·81005/84845 = 1955.
        Assert.Equal(1955, m.Zones[1].WatermarkMin);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.SetWatermarkScaleFactor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.SetMinFreeKbytes(-1));
        m.SetLowmemReserveRatio(new[] { 128, 256, 32, 0 });
        Assert.Equal(81005 / 128, m.Zones[0].LowmemReserve[1]);
    }

    [Fact]
    public void FiveGiB_HasNormalZoneWithMemmapAtItsTop()
    {
        var m = Machine(5 * 1024);
        Assert.Equal(3, m.Zones.Count);
        var normal = m.Zones[2];
        Assert.Equal(ZoneType.Normal, normal.Type);
        Assert.Equal(1048576, normal.StartPfn);
        Assert.Equal(262112, normal.PresentPages);
        Assert.Equal(262112 - 20480, normal.ManagedPages);   // memmap: 64·5 GiB/4096 = 80 MiB
        Assert.Equal(1048576 - 4096 - 11635, m.Zones[1].ManagedPages);
        Assert.Equal(normal, m.ZoneOf(1310719));
        m.CheckInvariants();
    }

    [Fact]
    public void KernelReservedBytes_ReplacesMemmapAndKernel()
    {
        var m = Machine(384, c => c.KernelReservedBytes = 100L << 20);
        Assert.Equal(392696 - 102400, m.TotalRamPages * 4);
        Assert.Equal(0, m.Reserved.MemmapKb);
        Assert.Equal(102400, m.Reserved.KernelKb);
        Assert.Equal(3840, m.Zones[0].ManagedPages);
        m.CheckInvariants();
        var none = Machine(384, c => c.KernelReservedBytes = 0);
        Assert.Equal(392696, none.TotalRamPages * 4);
        Assert.Equal(3998, none.Zones[0].ManagedPages);
        none.CheckInvariants();
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(16384)]
    [InlineData(65536)]
    public void OtherPageSizes_ConstructConsistently(int pageSize)
    {
        var m = Machine(1024, c => c.PageSize = pageSize);
        Assert.Equal(pageSize, m.PageSize);
        Assert.Equal(1 << m.PageShift, pageSize);
        Assert.Equal(m.Reserved.AvailableKb, m.TotalRamPages * (pageSize / 1024));
        Assert.Equal(1024 * 1024, m.Reserved.PresentKb + m.Reserved.HolesKb);
        Assert.Equal(1024, m.PageblockNrPages);
        m.CheckInvariants();
    }

    [Fact]
    public void SixtyFourKPages_PresentRoundsInward()
    {
        var m = Machine(1024, c => c.PageSize = 65536);
        // [4 KiB, 0x9f000) holds pages 1..8; [1 MiB, 1 GiB − 128 KiB) holds pages 16..16381.
        Assert.Equal((8 + 16366) * 64, m.Reserved.PresentKb);
        Assert.Equal(8 * 64, m.Reserved.FirstMegabyteKb);
    }

    [Theory]
    [InlineData(384L << 20, 3000, "page size")]
    [InlineData(384L << 20, 131072, "page size")]
    [InlineData(32L << 20, 4096, "at least 64 MiB")]
    [InlineData((384L << 20) + 4096, 8192, "multiple of the page size")]
    [InlineData(2L << 40, 4096, "at most 1 TiB")]
    public void ImpossibleMachines_Throw(long bytes, int pageSize, string expected)
    {
        var e = Assert.Throws<InputException>(() => new PhysicalMemory(new PhysicalMemoryConfig { MemoryBytes = bytes, PageSize = pageSize }));
        Assert.Equal("machine", e.SourceName);
        Assert.Equal(0, e.Line);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ImpossibleSettings_Throw()
    {
        Assert.Contains("less than present", Assert.Throws<InputException>(() => Machine(384, c => c.KernelReservedBytes = 384L << 20)).Message);
        Assert.Contains("watermark_scale_factor", Assert.Throws<InputException>(() => Machine(384, c => c.WatermarkScaleFactor = 0)).Message);
        Assert.Contains("always, madvise, never", Assert.Throws<InputException>(() => Machine(384, c => c.TransparentHugepage = "sometimes")).Message);
        Assert.Contains("min_free_kbytes", Assert.Throws<InputException>(() => Machine(384, c => c.MinFreeKbytes = -5)).Message);
        Assert.Contains("lowmem_reserve_ratio", Assert.Throws<InputException>(() => Machine(384, c => c.LowmemReserveRatio = new[] { 1 })).Message);
    }

    [Fact]
    public void SixtyFourGiB_Constructs()
    {
        // Its speed is the benchmarks' business (bench/scenarios/big-machine.yaml), not a timed unit test's.
        var m = Machine(64 * 1024);
        Assert.Equal(16L << 20, m.TotalFrames);
        Assert.Equal(3, m.Zones.Count);
        Assert.Equal(m.TotalRamPages, m.NrFreePages);
    }
}
