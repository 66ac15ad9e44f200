using MmSim.Paging.Layouts;

namespace MmSim.Tests.Translate;

public class TranslationLayoutTests
{
    private static int[] Indices(TranslationLayout l, ulong a) => l.Split(a).Levels.Select(x => x.Index).ToArray();

    [Fact]
    public void X86_64_splits_9_9_9_9_12()
    {
        // 0x7f1234567abc = 0111 1111 0|001 0010 00|11 0100 010|1 0110 0111|1010 1011 1100
        //   PGD 0_1111_1110 = 254, PUD 0_0100_1000 = 72, PMD 1_1010_0010 = 418, PTE 1_0110_0111 = 359, offset 0xabc
        var t = TranslationLayouts.X86_64.Split(0x0000_7f12_3456_7abcUL);
        Assert.Equal(["PGD", "PUD", "PMD", "PTE"], t.Levels.Select(l => l.Name));
        Assert.Equal([254, 72, 418, 359], t.Levels.Select(l => l.Index));
        Assert.Equal(0xabcUL, t.Offset);
        Assert.Equal(AddressSpace.User, t.Space);
    }

    [Fact]
    public void X86_64_kernel_text_start()
    {
        // 0xffffffff80000000: bits 47..39 all 1 = 511; 38..30 = 1_1111_1110 = 510; the rest 0
        Assert.Equal([511, 510, 0, 0], Indices(TranslationLayouts.X86_64, 0xffff_ffff_8000_0000UL));
    }

    [Theory]
    [InlineData(0x0000_7fff_ffff_ffffUL, true, AddressSpace.User)]
    [InlineData(0x0000_8000_0000_0000UL, false, AddressSpace.NonCanonical)]
    [InlineData(0xffff_7fff_ffff_ffffUL, false, AddressSpace.NonCanonical)]
    [InlineData(0xffff_8000_0000_0000UL, true, AddressSpace.Kernel)]
    [InlineData(0xffff_ffff_ffff_ffffUL, true, AddressSpace.Kernel)]
    [InlineData(0UL, true, AddressSpace.User)]
    public void X86_64_canonical_boundaries(ulong a, bool canonical, AddressSpace space)
    {
        Assert.Equal(canonical, TranslationLayouts.X86_64.IsCanonical(a));
        Assert.Equal(space, TranslationLayouts.X86_64.Classify(a));
    }

    [Theory]
    [InlineData(0x00ff_ffff_ffff_ffffUL, true, AddressSpace.User)]
    [InlineData(0x0100_0000_0000_0000UL, false, AddressSpace.NonCanonical)]
    [InlineData(0xfeff_ffff_ffff_ffffUL, false, AddressSpace.NonCanonical)]
    [InlineData(0xff00_0000_0000_0000UL, true, AddressSpace.Kernel)]
    [InlineData(0x0000_8000_0000_0000UL, true, AddressSpace.User)] // non-canonical under 4-level, user under LA57
    public void La57_canonical_boundaries(ulong a, bool canonical, AddressSpace space)
    {
        Assert.Equal(canonical, TranslationLayouts.X86_64La57.IsCanonical(a));
        Assert.Equal(space, TranslationLayouts.X86_64La57.Classify(a));
    }

    [Fact]
    public void La57_splits_9x5_12()
    {
        // 0x00ff_ffff_ffff_ffff (the top user address, 2^56 - 1): bit 56 is 0 and bits 55..0 are 1, so the PGD
        // index (bits 56..48) is 0_1111_1111 = 255, every lower index 511, offset 0xfff
        var t = TranslationLayouts.X86_64La57.Split(0x00ff_ffff_ffff_ffffUL);
        Assert.Equal(["PGD", "P4D", "PUD", "PMD", "PTE"], t.Levels.Select(l => l.Name));
        Assert.Equal([255, 511, 511, 511, 511], t.Levels.Select(l => l.Index));
        Assert.Equal(0xfffUL, t.Offset);
        // 0x7f1234567abc is below 2^48: P4D takes the old PGD index, the new PGD index is 0
        Assert.Equal([0, 254, 72, 418, 359], Indices(TranslationLayouts.X86_64La57, 0x7f12_3456_7abcUL));
        // 0xff11000000000000 (L5 direct map): bits 56..48 = 1_0001_0001 = 273
        Assert.Equal([273, 0, 0, 0, 0], Indices(TranslationLayouts.X86_64La57, 0xff11_0000_0000_0000UL));
    }

    [Fact]
    public void I386_splits_10_10_12_with_the_3G_1G_split()
    {
        // 0xc0000000 >> 22 = 0x300 = 768
        var t = TranslationLayouts.I386.Split(0xC000_0000UL);
        Assert.Equal([768, 0], t.Levels.Select(l => l.Index));
        Assert.Equal(AddressSpace.Kernel, t.Space);
        Assert.Equal(AddressSpace.User, TranslationLayouts.I386.Classify(0xBFFF_FFFFUL));
        // 0x08048123 (classic ELF text): PGD 0x080 >> ... = 0000 1000 00|00 0100 1000|0001 0010 0011 -> 32, 72, 0x123
        t = TranslationLayouts.I386.Split(0x0804_8123UL);
        Assert.Equal([32, 72], t.Levels.Select(l => l.Index));
        Assert.Equal(0x123UL, t.Offset);
    }

    [Fact]
    public void I386_pae_splits_2_9_9_12()
    {
        // 0xc0201abc = 11|00 0000 001|0 0000 0001|1010 1011 1100 -> PDPT 3, PMD 1, PTE 1, offset 0xabc
        var t = TranslationLayouts.I386Pae.Split(0xC020_1ABCUL);
        Assert.Equal(["PGD", "PMD", "PTE"], t.Levels.Select(l => l.Name));
        Assert.Equal(["PDPT", "PD", "PT"], t.Levels.Select(l => l.IntelName));
        Assert.Equal([3, 1, 1], t.Levels.Select(l => l.Index));
        Assert.Equal(0xabcUL, t.Offset);
        Assert.Equal(AddressSpace.Kernel, t.Space);
    }

    [Fact]
    public void Generic_10_10_with_4KiB()
    {
        var l = TranslationLayouts.Generic([10, 10], 12);
        Assert.Equal(32, l.AddressBits);
        // 0x12345 = 00 0000 0000|00 0001 0010|0011 0100 0101 -> 0, 18, 0x345
        var t = l.Split(0x12345UL);
        Assert.Equal([0, 18], t.Levels.Select(x => x.Index));
        Assert.Equal(0x345UL, t.Offset);
        Assert.Equal(AddressSpace.User, t.Space);
        // textbook 16-bit: 4/4 with 256-byte pages: 0xabcd -> 0xa, 0xb, 0xcd
        t = TranslationLayouts.Generic([4, 4], 8).Split(0xABCDUL);
        Assert.Equal([10, 11], t.Levels.Select(x => x.Index));
        Assert.Equal(0xcdUL, t.Offset);
    }

    [Fact]
    public void Large_pages_end_the_walk_early()
    {
        // 2 MiB: the PMD entry is the leaf, offset bits 20..0 = 0x1_6_7abc of 0x7f1234567abc
        var pmd = TranslationLayouts.X86_64.WithLeafPage(2L << 20, out bool ok);
        Assert.True(ok);
        var t = pmd.Split(0x7f12_3456_7abcUL);
        Assert.Equal([254, 72, 418], t.Levels.Select(x => x.Index));
        Assert.Equal(0x167abcUL, t.Offset);
        // 1 GiB: the PUD entry is the leaf, offset bits 29..0 = 0x34567abc
        var pud = TranslationLayouts.X86_64.WithLeafPage(1L << 30, out ok);
        Assert.True(ok);
        t = pud.Split(0x7f12_3456_7abcUL);
        Assert.Equal([254, 72], t.Levels.Select(x => x.Index));
        Assert.Equal(0x3456_7abcUL, t.Offset);
        // i386 PSE 4 MiB: offset bits 21..0
        t = TranslationLayouts.I386.WithLeafPage(4L << 20, out ok).Split(0xC012_3456UL);
        Assert.True(ok);
        Assert.Equal([768], t.Levels.Select(x => x.Index));
        Assert.Equal(0x12_3456UL, t.Offset);
        TranslationLayouts.X86_64.WithLeafPage(64L << 10, out ok);
        Assert.False(ok);
    }
}
