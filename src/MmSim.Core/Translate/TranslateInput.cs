using System.Globalization;
using System.Numerics;
using MmSim.Paging.Layouts;
using MmSim.Workloads;

namespace MmSim.Translate;

/// <summary>Command-line values of <c>mmsim translate</c>, checked: every bad value is one
/// <see cref="InputException"/> that says what was expected.</summary>
public static class TranslateInput
{
    /// <summary>An address: 0x-prefixed hexadecimal (underscores allowed, as in 0x0000_7fff_ffff_ffff) or decimal.</summary>
    public static ulong ParseAddress(string text, string source = "ADDRESS")
    {
        string t = text.Trim().Replace("_", "");
        ulong v;
        bool ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw new InputException(source, 0,
            $"invalid address '{text}'; expected 0x-prefixed hexadecimal or decimal, at most 64 bits");
        return v;
    }

    /// <summary>Rejects an address wider than the scheme (e.g. above 0xffffffff for i386).</summary>
    public static void CheckWidth(ulong address, TranslationLayout layout, string source = "ADDRESS")
    {
        if (address > layout.MaxAddress)
            throw new InputException(source, 0,
                $"address 0x{address:x} is wider than {layout.AddressBits} bits, the addresses of scheme {layout.Scheme} (at most 0x{layout.MaxAddress:x})");
    }

    /// <summary>The layout of a scheme, with <c>--bits</c>/<c>--page-size</c> for generic and <c>--page</c> for a
    /// large page.</summary>
    public static TranslationLayout Layout(string scheme, string? bits, string? pageSize, string? page)
    {
        TranslationLayout layout;
        if (scheme == "generic")
        {
            if (bits is null) throw new InputException("--bits", 0, "scheme generic needs --bits, the index widths root first, e.g. --bits 10,10");
            int[] widths = ParseBits(bits);
            int offsetBits = OffsetBits(pageSize ?? "4KiB", "--page-size");
            CheckGenericWidth(widths, offsetBits);
            layout = TranslationLayouts.Generic(widths, offsetBits);
            if (page is not null) throw new InputException("--page", 0, "scheme generic has no large pages; set the page with --page-size");
            return layout;
        }
        layout = TranslationLayouts.Named(scheme)
            ?? throw new InputException("--scheme", 0, $"unknown scheme '{scheme}'; expected one of {string.Join(", ", TranslationLayouts.Schemes)}");
        if (bits is not null || pageSize is not null)
            throw new InputException(bits is not null ? "--bits" : "--page-size", 0, "only scheme generic takes --bits and --page-size");
        if (page is null) return layout;
        long bytes = Units.ParseSize(page, "--page", 0);
        var large = layout.WithLeafPage(bytes, out bool ok);
        if (!ok || (bytes != layout.PageSize && !TranslationLayouts.LargePages(scheme).Contains(bytes)))
            throw new InputException("--page", 0,
                $"scheme {scheme} has no {page} pages; expected 4KiB{string.Concat(TranslationLayouts.LargePages(scheme).Select(b => ", " + Size(b)))}");
        return large;
    }

    private static string Size(long b) => b >= 1L << 30 ? $"{b >> 30}GiB" : $"{b >> 20}MiB";

    public static int[] ParseBits(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var bits = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out bits[i]) || bits[i] < 1 || bits[i] > 32)
                throw new InputException("--bits", 0, $"invalid index widths '{text}'; expected a comma-separated list of bit counts 1 to 32, root first, e.g. 10,10");
        return bits;
    }

    private static int OffsetBits(string pageSize, string source)
    {
        long bytes = Units.ParseSize(pageSize, source, 0);
        if (bytes < 1 || !BitOperations.IsPow2(bytes))
            throw new InputException(source, 0, $"invalid page size '{pageSize}'; expected a power of two such as 4KiB");
        return BitOperations.Log2((ulong)bytes);
    }

    /// <summary>Checks a generic layout's total width (index bits plus offset) is at most 64.</summary>
    private static void CheckGenericWidth(IReadOnlyList<int> bits, int offsetBits)
    {
        if (bits.Sum() + offsetBits > 64)
            throw new InputException("--bits", 0, $"index widths plus the {offsetBits}-bit offset come to {bits.Sum() + offsetBits} bits; at most 64");
    }
}
