namespace MmSim.Physical;

/// <summary>What the machine looks like at boot. Validated by <see cref="PhysicalMemory"/>'s constructor.</summary>
public sealed class PhysicalMemoryConfig
{
    /// <summary>Installed RAM (qemu's <c>-m</c>), a multiple of <see cref="PageSize"/>, 64 MiB .. 1 TiB.</summary>
    public long MemoryBytes;

    /// <summary>Page size in bytes: a power of two, 4 KiB .. 64 KiB.</summary>
    public int PageSize = 4096;

    /// <summary>Present memory the kernel keeps for itself (struct page array, kernel image, firmware, early
    /// allocations). Null = the calibrated default model (see <see cref="ReservedMemory"/>).</summary>
    public long? KernelReservedBytes;

    /// <summary>vm.min_free_kbytes set by the user; null = the kernel's own value (sqrt rule, then THP).</summary>
    public long? MinFreeKbytes;

    /// <summary>vm.watermark_scale_factor, 1 .. 3000.</summary>
    public int WatermarkScaleFactor = 10;

    /// <summary>vm.lowmem_reserve_ratio, indexed by <see cref="ZoneType"/> (a fifth value, ZONE_DEVICE's, is
    /// accepted and ignored).</summary>
    public int[] LowmemReserveRatio = { 256, 256, 32, 0 };

    /// <summary>/sys/kernel/mm/transparent_hugepage/enabled: always, madvise or never. Only its effect on
    /// min_free_kbytes (khugepaged's <c>set_recommended_min_free_kbytes</c>) is modelled here.</summary>
    public string TransparentHugepage = "madvise";

    public const long MinMemoryBytes = 64L << 20;
    public const long MaxMemoryBytes = 1L << 40;

    /// <summary>Throws <see cref="InputException"/> (source "machine") naming what was expected.</summary>
    internal void Validate()
    {
        if (PageSize < 4096 || PageSize > 65536 || (PageSize & (PageSize - 1)) != 0)
            Fail($"page size must be a power of two between 4096 and 65536 bytes, got {PageSize}");
        if (MemoryBytes < MinMemoryBytes)
            Fail($"memory must be at least 64 MiB ({MinMemoryBytes} bytes), got {MemoryBytes} bytes");
        if (MemoryBytes > MaxMemoryBytes)
            Fail($"memory must be at most 1 TiB ({MaxMemoryBytes} bytes), got {MemoryBytes} bytes");
        if (MemoryBytes % PageSize != 0)
            Fail($"memory must be a multiple of the page size ({PageSize} bytes), got {MemoryBytes} bytes");
        if (KernelReservedBytes is < 0)
            Fail($"kernel reserved memory must be 0 or more bytes, got {KernelReservedBytes}");
        if (MinFreeKbytes is < 0 or > int.MaxValue)
            Fail($"min_free_kbytes must be between 0 and {int.MaxValue}, got {MinFreeKbytes}");
        if (WatermarkScaleFactor < 1 || WatermarkScaleFactor > 3000)
            Fail($"watermark_scale_factor must be between 1 and 3000, got {WatermarkScaleFactor}");
        if (LowmemReserveRatio is null || LowmemReserveRatio.Length is < ZoneTypes.Count or > ZoneTypes.Count + 1)
            Fail($"lowmem_reserve_ratio must have {ZoneTypes.Count} values (DMA DMA32 Normal Movable), got {LowmemReserveRatio?.Length ?? 0}");
        foreach (int r in LowmemReserveRatio!)
            if (r < 0) Fail($"lowmem_reserve_ratio values must be 0 or more, got {r}");
        if (TransparentHugepage is not ("always" or "madvise" or "never"))
            Fail($"transparent_hugepage must be one of always, madvise, never; got \"{TransparentHugepage}\"");
    }

    internal static void Fail(string message) => throw new InputException("machine", 0, message);
}
