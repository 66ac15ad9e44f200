namespace MmSim.Physical;

/// <summary>
/// Where the RAM that is not in MemTotal went at boot, in kB (the boot line
/// <c>Memory: &lt;available&gt;K/&lt;present&gt;K available (... &lt;reserved&gt;K reserved ...)</c>).
/// <para>
/// The default model is calibrated on Debian's 6.1 kernel in qemu (x86-64, 4 KiB pages), where <c>-m 384</c> gives
/// MemTotal 339380 kB (339380K/392696K available, 53316K reserved) and <c>-m 512</c> gives 468404 kB (present
/// 523768K, reserved 55364K):
/// </para>
/// <list type="bullet">
/// <item><b>Holes</b> (not present, never in the frame counts of any zone): page 0, the legacy BIOS/VGA hole
/// [0x9f000, 0x100000) and the top 128 KiB of RAM (qemu's ACPI area): present = RAM − 520 KiB at 4 KiB pages.
/// For other page sizes a page is present only if it lies wholly inside usable RAM ([4 KiB, 0x9f000) and
/// [1 MiB, RAM − 128 KiB)), as memblock rounds regions inward.</item>
/// <item><b>memmap</b> (the <c>struct page</c> array, 64 bytes per frame, allocated per 128 MiB sparsemem section):
/// 64 · roundup(RAM, 128 MiB) / PAGE_SIZE bytes, rounded up to whole pages; placed at the top of the highest zone.</item>
/// <item><b>Kernel</b> (image, early allocations, firmware areas): a fixed 47172 kB of present memory. It includes
/// the present part of the first 1 MiB (reserved whole since 5.13; 632 kB = 158 pages at 4 KiB), which stays in
/// ZONE_DMA (so DMA has 3840 managed pages at 4 KiB); the rest (46540 kB, rounded up to whole pages) is placed
/// right after 16 MiB, at the start of ZONE_DMA32.</item>
/// </list>
/// MemTotal = present − memmap − kernel: 392696 − 6144 − 47172 = 339380 and 523768 − 8192 − 47172 = 468404.
/// <para>
/// With <see cref="PhysicalMemoryConfig.KernelReservedBytes"/> set, that amount (rounded up to whole pages) replaces
/// memmap + kernel: it fills the present part of the first MiB first, then goes from 16 MiB upwards. Holes still apply.
/// A reservation that runs into the top of memory (or into another one) continues in the other direction.
/// </para>
/// </summary>
public sealed class ReservedMemory
{
    /// <summary>RAM that is not present (holes), kB.</summary>
    public long HolesKb { get; internal set; }
    /// <summary>Present memory (the boot line's second figure, physpages), kB.</summary>
    public long PresentKb { get; internal set; }
    /// <summary>The struct page array, kB (0 when KernelReservedBytes is given).</summary>
    public long MemmapKb { get; internal set; }
    /// <summary>Kernel image, early allocations and firmware areas, including the first MiB's present pages, kB.</summary>
    public long KernelKb { get; internal set; }
    /// <summary>Of <see cref="KernelKb"/>, the present part of the first MiB, kB.</summary>
    public long FirstMegabyteKb { get; internal set; }
    /// <summary>The boot line's "reserved": present − managed = memmap + kernel, kB.</summary>
    public long ReservedKb => MemmapKb + KernelKb;
    /// <summary>The boot line's "available" = MemTotal, kB.</summary>
    public long AvailableKb => PresentKb - ReservedKb;
}
