using System.Text;
using System.Text.Json;
using MmSim.Paging.Layouts;
using MmSim.Segmentation;

namespace MmSim.Translate;

/// <summary>The JSON documents of <c>mmsim translate --json</c>: a split address
/// <c>{ scheme, address, canonical, space, levels: [{ name, index }], offset }</c>, and a segment translation
/// <c>{ segment, offset, physical }</c> or <c>{ segment, offset, fault }</c>. Built here so that the CLI and the
/// server write the same bytes.</summary>
public static class TranslateJson
{
    public static string Space(AddressSpace s) => s switch
    {
        AddressSpace.User => "user",
        AddressSpace.Kernel => "kernel",
        _ => "non-canonical",
    };

    public static string Of(Translation t) => Write(j =>
    {
        j.WriteStartObject();
        j.WriteString("scheme", t.Scheme);
        j.WriteString("address", $"0x{t.Address:x}");
        j.WriteBoolean("canonical", t.Canonical);
        j.WriteString("space", Space(t.Space));
        j.WriteStartArray("levels");
        foreach (var l in t.Levels)
        {
            j.WriteStartObject();
            j.WriteString("name", l.Name);
            j.WriteNumber("index", l.Index);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteNumber("offset", t.Offset);
        j.WriteEndObject();
    });

    public static string Of(SegmentTranslation t) => Write(j =>
    {
        j.WriteStartObject();
        j.WriteNumber("segment", t.Segment);
        j.WriteNumber("offset", t.Offset);
        if (t.Physical is long p) j.WriteNumber("physical", p);
        else j.WriteString("fault", SegmentTranslation.Name(t.Fault!.Value));
        j.WriteEndObject();
    });

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

    /// <summary><c>mmsim translate --scenario S --pid N ADDRESS --json</c>: the walk of a simulated process's page
    /// table: each level's table frame, index, entry, the frame it points to and its flags; the physical address or
    /// the fault and why; the process's TLB counts.</summary>
    public static string Of(int pid, PageWalkResult r, Paging.Tlb tlb) => Write(j =>
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
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true })) body(j);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
