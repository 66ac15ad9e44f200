namespace MmSim.Paging.Layouts;

/// <summary>
/// The layouts of <c>mmsim translate</c> (reference §12): x86-64 4-level and 5-level (LA57), i386 two-level and
/// PAE, and a generic one from a list of index widths. Names are the kernel's (pgtable-nopmd/nopud folding), with
/// the Intel SDM's names alongside.
/// </summary>
public static class TranslationLayouts
{
    public static readonly string[] Schemes = ["x86_64", "x86_64_la57", "i386", "i386_pae", "generic"];

    /// <summary>x86-64 4-level: PGD 47–39, PUD 38–30, PMD 29–21, PTE 20–12; canonical at 48 bits; kernel half from
    /// 0xffff800000000000.</summary>
    public static TranslationLayout X86_64 { get; } = new("x86_64", 64, 48, 0xFFFF_8000_0000_0000UL,
        [new("PGD", "PML4", 39, 9), new("PUD", "PDPT", 30, 9), new("PMD", "PD", 21, 9), new("PTE", "PT", 12, 9)], 12);

    /// <summary>LA57: PGD 56–48 (PGDIR_SHIFT 48), P4D 47–39, then as 4-level; canonical at 57 bits; kernel from
    /// 0xff00000000000000.</summary>
    public static TranslationLayout X86_64La57 { get; } = new("x86_64_la57", 64, 57, 0xFF00_0000_0000_0000UL,
        [new("PGD", "PML5", 48, 9), new("P4D", "PML4", 39, 9), new("PUD", "PDPT", 30, 9), new("PMD", "PD", 21, 9), new("PTE", "PT", 12, 9)], 12);

    /// <summary>i386 without PAE: PGD 31–22 (1024 entries of 4 MiB), PTE 21–12; PAGE_OFFSET 0xC0000000 (3G/1G).</summary>
    public static TranslationLayout I386 { get; } = new("i386", 32, null, 0xC000_0000UL,
        [new("PGD", "PD", 22, 10), new("PTE", "PT", 12, 10)], 12);

    /// <summary>i386 PAE: PGD = the 4-entry PDPT (31–30), PMD 29–21, PTE 20–12; PUD and P4D folded.</summary>
    public static TranslationLayout I386Pae { get; } = new("i386_pae", 32, null, 0xC000_0000UL,
        [new("PGD", "PDPT", 30, 2), new("PMD", "PD", 21, 9), new("PTE", "PT", 12, 9)], 12);

    /// <summary>Large pages each scheme's hardware maps: 2 MiB (PMD) and 1 GiB (PUD) on x86-64, 4 MiB PSE on i386,
    /// 2 MiB on PAE.</summary>
    public static long[] LargePages(string scheme) => scheme switch
    {
        "x86_64" or "x86_64_la57" => [2L << 20, 1L << 30],
        "i386" => [4L << 20],
        "i386_pae" => [2L << 20],
        _ => [],
    };

    public static TranslationLayout? Named(string scheme) => scheme switch
    {
        "x86_64" => X86_64,
        "x86_64_la57" => X86_64La57,
        "i386" => I386,
        "i386_pae" => I386Pae,
        _ => null,
    };

    /// <summary>
    /// A generic layout: index widths root first, then the page offset. The address is exactly as wide as the
    /// sum; there is no canonical rule and no kernel split (every address is user). Names fold as Linux does:
    /// 2 levels PGD/PTE, 3 PGD/PMD/PTE, 4 PGD/PUD/PMD/PTE, 5 adds P4D; more are L{n}.
    /// </summary>
    public static TranslationLayout Generic(IReadOnlyList<int> bits, int offsetBits)
    {
        string[] names = bits.Count switch
        {
            1 => ["PGD"],
            2 => ["PGD", "PTE"],
            3 => ["PGD", "PMD", "PTE"],
            4 => ["PGD", "PUD", "PMD", "PTE"],
            5 => ["PGD", "P4D", "PUD", "PMD", "PTE"],
            _ => Enumerable.Range(0, bits.Count).Select(i => $"L{bits.Count - i}").ToArray(),
        };
        var levels = new TranslationLevel[bits.Count];
        int shift = offsetBits;
        for (int i = bits.Count - 1; i >= 0; i--)
        {
            levels[i] = new TranslationLevel(names[i], "", shift, bits[i]); // no hardware name
            shift += bits[i];
        }
        return new TranslationLayout("generic", shift, null, null, levels, offsetBits);
    }
}
