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

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true })) body(j);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
