namespace MmSim.Paging.Layouts;

/// <summary>One level of a translation layout: the kernel's name for the table (PGD, P4D, PUD, PMD, PTE), the
/// hardware manual's name, and the bits of the address that index it.</summary>
public sealed record TranslationLevel(string Name, string IntelName, int Shift, int Bits)
{
    public int Index(ulong address) => (int)((address >> Shift) & ((1UL << Bits) - 1));
}

/// <summary>Where an address falls: below the user/kernel split, above it, or in the non-canonical hole.</summary>
public enum AddressSpace { User, Kernel, NonCanonical }

/// <summary>
/// An address-translation layout, for splitting virtual addresses into table indices and a page offset
/// (the lab's <c>mmsim translate</c>; the simulated machine itself stays on <see cref="PagingLayout"/>).
/// <see cref="AddressBits"/> is the width an address may have (64 on x86-64, 32 on i386); when
/// <see cref="CanonicalBits"/> is set, bits 63..N−1 must all equal bit N−1. User space is below
/// <see cref="KernelStart"/> (null: no kernel split, every address is user).
/// </summary>
public sealed class TranslationLayout
{
    public string Scheme { get; }
    public int AddressBits { get; }
    public int? CanonicalBits { get; }
    public ulong? KernelStart { get; }
    /// <summary>Levels root first; the last one is the leaf that maps the page.</summary>
    public IReadOnlyList<TranslationLevel> Levels { get; }
    public int OffsetBits { get; }
    public long PageSize => 1L << OffsetBits;

    public TranslationLayout(string scheme, int addressBits, int? canonicalBits, ulong? kernelStart,
        IReadOnlyList<TranslationLevel> levels, int offsetBits)
    {
        Scheme = scheme;
        AddressBits = addressBits;
        CanonicalBits = canonicalBits;
        KernelStart = kernelStart;
        Levels = levels;
        OffsetBits = offsetBits;
    }

    /// <summary>The largest address the scheme accepts at all (wider ones are bad input, not non-canonical).</summary>
    public ulong MaxAddress => AddressBits >= 64 ? ulong.MaxValue : (1UL << AddressBits) - 1;

    /// <summary>Bits 63..N−1 all equal (N = <see cref="CanonicalBits"/>); always true without a canonical rule.</summary>
    public bool IsCanonical(ulong address)
    {
        if (CanonicalBits is not int n) return true;
        ulong top = address >> (n - 1);
        return top == 0 || top == ulong.MaxValue >> (n - 1);
    }

    public AddressSpace Classify(ulong address) =>
        !IsCanonical(address) ? AddressSpace.NonCanonical
        : KernelStart is ulong k && address >= k ? AddressSpace.Kernel
        : AddressSpace.User;

    /// <summary>The same layout with a large page: the levels below the one whose entry maps
    /// <paramref name="pageBytes"/> are dropped, and the offset takes their bits (2 MiB: PMD leaf, 21-bit offset).</summary>
    public TranslationLayout WithLeafPage(long pageBytes, out bool ok)
    {
        ok = pageBytes == PageSize;
        if (ok) return this;
        for (int i = 0; i < Levels.Count - 1; i++)
        {
            if (1L << Levels[i].Shift != pageBytes) continue;
            ok = true;
            return new TranslationLayout(Scheme, AddressBits, CanonicalBits, KernelStart, Levels.Take(i + 1).ToArray(), Levels[i].Shift);
        }
        return this;
    }

    public Translation Split(ulong address)
    {
        var levels = Levels.Select(l => new LevelIndex(l.Name, l.IntelName, l.Index(address), l.Shift, l.Bits)).ToArray();
        ulong offset = address & ((1UL << OffsetBits) - 1);
        return new Translation(Scheme, address, IsCanonical(address), Classify(address), levels, offset, OffsetBits);
    }
}

public sealed record LevelIndex(string Name, string IntelName, int Index, int Shift, int Bits);

/// <summary>An address split by a <see cref="TranslationLayout"/>.</summary>
public sealed record Translation(string Scheme, ulong Address, bool Canonical, AddressSpace Space,
    IReadOnlyList<LevelIndex> Levels, ulong Offset, int OffsetBits);
