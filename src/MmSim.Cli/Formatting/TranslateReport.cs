using System.Text;
using System.Text.Json;
using MmSim.Paging.Layouts;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>Output of <c>mmsim translate</c> for a split address: a table, or the JSON contract
/// <c>{ scheme, address, canonical, space, levels: [{ name, index }], offset }</c>.</summary>
public static class TranslateReport
{
    public static string Space(AddressSpace s) => MmSim.Translate.TranslateJson.Space(s);

    public static string Json(Translation t) => MmSim.Translate.TranslateJson.Of(t);

    public static void Text(Translation t, TranslationLayout layout, TextWriter w)
    {
        string where = layout.CanonicalBits is int n
            ? t.Canonical
                ? $"canonical ({n}-bit), {Space(t.Space)}"
                : $"non-canonical: bits 63..{n - 1} are not all equal to bit {n - 1} (a #GP, not a page fault)"
            : layout.KernelStart is ulong k ? $"{Space(t.Space)} (kernel from PAGE_OFFSET 0x{k:x})" : "user (no kernel split)";
        w.WriteLine($"{t.Scheme} 0x{t.Address:x}: {where}");
        var table = new Table().Border(TableBorder.Simple).AddColumns("level", "Intel SDM", "bits", "index", "index (hex)");
        foreach (var l in t.Levels)
            table.AddRow(l.Name, l.IntelName, $"{l.Shift + l.Bits - 1}-{l.Shift}", l.Index.ToString(), $"0x{l.Index:x}");
        table.AddRow("offset", "", $"{t.OffsetBits - 1}-0", t.Offset.ToString(), $"0x{t.Offset:x}");
        Consoles.For(w).Write(table);
        if (layout.Scheme != "generic" && layout.OffsetBits > 12)
            w.WriteLine($"{(layout.PageSize >= 1L << 30 ? $"{layout.PageSize >> 30} GiB" : $"{layout.PageSize >> 20} MiB")} page: the {t.Levels[^1].Name} entry is the leaf (PS, bit 7), the offset takes {t.OffsetBits} bits");
    }
}
