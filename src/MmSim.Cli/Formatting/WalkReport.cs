using System.Text;
using System.Text.Json;
using MmSim.Translate;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>Output of <c>mmsim translate --scenario FILE --pid N ADDRESS</c>: each level's table frame, index,
/// entry, the frame it points to and its flags; then the physical address or the fault.</summary>
public static class WalkReport
{
    public static string FaultName(WalkFault f) => f switch
    {
        WalkFault.NonCanonical => "non-canonical",
        WalkFault.KernelAddress => "kernel-address",
        WalkFault.NotMapped => "not-mapped",
        WalkFault.SwapEntry => "swap-entry",
        WalkFault.ZeroPage => "zero-page",
        WalkFault.WriteProtected => "write-protected",
        _ => "no-mm",
    };

    public static string Json(int pid, PageWalkResult r, MmSim.Paging.Tlb tlb)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("pid", pid);
            j.WriteString("address", $"0x{r.Address:x}");
            if (r.Vma is { } v) j.WriteString("vma", PageWalk.Name(v));
            else j.WriteNull("vma");
            j.WriteStartArray("levels");
            foreach (var s in r.Steps)
            {
                j.WriteStartObject();
                j.WriteString("name", s.Level);
                j.WriteNumber("table_pfn", s.TablePfn);
                j.WriteNumber("index", s.Index);
                j.WriteString("entry", $"0x{s.Entry:x16}");
                if (s.EntryPfn is long p) j.WriteNumber("pfn", p);
                else j.WriteNull("pfn");
                j.WriteString("flags", s.Flags);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            if (r.Physical is ulong pa) j.WriteString("physical", $"0x{pa:x}");
            else j.WriteNull("physical");
            if (r.Fault is { } f) j.WriteString("fault", FaultName(f));
            else j.WriteNull("fault");
            j.WriteString("reason", r.Reason);
            j.WriteStartObject("tlb");
            j.WriteNumber("hits", tlb.Hits);
            j.WriteNumber("misses", tlb.Misses);
            j.WriteEndObject();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

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
