using System.Text;
using System.Text.Json;
using MmSim.Translate;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>Output of <c>mmsim translate --scenario FILE --pid N ADDRESS</c>: each level's table frame, index,
/// entry, the frame it points to and its flags; then the physical address or the fault.</summary>
public static class WalkReport
{
    public static string FaultName(WalkFault f) => TranslateJson.FaultName(f);

    public static string Json(int pid, PageWalkResult r, MmSim.Paging.Tlb tlb) => TranslateJson.Of(pid, r, tlb);

    public static void Text(int pid, PageWalkResult r, IReadOnlyList<MmSim.Mm.Vma> vmas, MmSim.Paging.Tlb tlb, TextWriter w)
    {
        string vma = r.Vma is { } v ? $" in VMA {PageWalk.Name(v)} 0x{v.Start:x}-0x{v.End:x}" : " (no VMA)";
        w.WriteLine($"pid {pid} 0x{r.Address:x}{vma}");
        if (r.Steps.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("level", "table pfn", "index", "entry", "pfn", "flags");
            foreach (var s in r.Steps)
                table.AddRow(s.Level, s.TablePfn.ToString(), s.Index.ToString(), $"0x{s.Entry:x16}",
                    s.EntryPfn?.ToString() ?? "-", Markup.Escape(s.Flags));
            Consoles.For(w).Write(table);
        }
        if (r.Physical is ulong pa) w.WriteLine($"physical 0x{pa:x}");
        w.WriteLine(r.Fault is { } f ? $"fault {FaultName(f)}: {r.Reason}" : r.Reason);
        if (r.Vma is null && vmas.Count > 0)
            w.WriteLine("the process's VMAs: " + string.Join(", ", vmas.Select(x => $"{PageWalk.Name(x)} 0x{x.Start:x}-0x{x.End:x}")));
        long lookups = tlb.Hits + tlb.Misses;
        if (lookups > 0)
            w.WriteLine($"its TLB over the run: {tlb.Hits} hits, {tlb.Misses} misses, hit ratio {(double)tlb.Hits / lookups:0.####}; its EAT: mmsim translate --eat --hit {(double)tlb.Hits / lookups:0.####}");
    }
}
