using System.Text;
using System.Text.Json;
using MmSim.Segmentation;

namespace MmSim.Cli.Formatting;

/// <summary>Output of <c>mmsim translate --segments</c>: <c>{ segment, offset, physical }</c> or
/// <c>{ segment, offset, fault }</c>.</summary>
public static class SegmentReport
{
    public static string Json(SegmentTranslation t) => MmSim.Translate.TranslateJson.Of(t);

    /// <summary>A segmented scenario's walk: under segmented paging also <c>page</c>, <c>page_offset</c> and
    /// <c>frame</c>; a swapped-out segment or page is <c>not-present</c> with <c>"swapped": true</c>.</summary>
    public static string Json(SegmentWalk w)
    {
        var t = w.Result;
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("segment", t.Segment);
            j.WriteNumber("offset", t.Offset);
            if (w.Page is long page) { j.WriteNumber("page", page); j.WriteNumber("page_offset", w.PageOffset!.Value); }
            if (w.Frame is long frame) j.WriteNumber("frame", frame);
            if (t.Physical is long p) j.WriteNumber("physical", p);
            else j.WriteString("fault", SegmentTranslation.Name(t.Fault!.Value));
            if (w.Swapped) j.WriteBoolean("swapped", true);
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string Text(SegmentWalk w, SegProcess p, SegmentAccess access, int pageSize)
    {
        var t = w.Result;
        p.Segments.TryGetValue(t.Segment, out var s);
        string entry = s is null ? "" : s.PageTable is not null
            ? $" (limit {s.Limit}, {Segment.Letters(s.Prot)}, page table of {s.PageTable.Length} entries)"
            : s.Swapped ? $" (swapped out, limit {s.Limit}, {Segment.Letters(s.Prot)})" : $" (base {s.Base}, limit {s.Limit}, {Segment.Letters(s.Prot)})";
        string result = t.Fault switch
        {
            null when w.Page is long page => $"page {page}, offset {w.PageOffset} in the page -> frame {w.Frame}: physical {t.Physical} = {w.Frame} × {pageSize} + {w.PageOffset}",
            null => $"physical {t.Physical} = base {s!.Base} + offset {t.Offset}",
            SegmentFault.NotPresent when s is null => $"trap (not-present): segment {t.Segment} has no entry in the segment table of pid {p.Pid}",
            SegmentFault.NotPresent when w.Page is long page => $"trap (not-present): page {page} of the segment is {(w.Swapped ? "on swap" : "not yet touched")}; the access would page-fault",
            SegmentFault.NotPresent => "trap (not-present): the segment is on swap; the access would swap it back in",
            SegmentFault.Limit => $"trap (limit): offset {t.Offset} is not below the limit {s!.Limit}",
            _ => $"trap (protection): {Segment.Letters(access)} access to a {Segment.Letters(s!.Prot)} segment",
        };
        return $"pid {p.Pid} segment {t.Segment}{entry}, offset {t.Offset}: {result}";
    }

    public static string Text(SegmentTranslation t, SegmentTable table, SegmentAccess access)
    {
        var s = table.Segments.FirstOrDefault(x => x.Number == t.Segment);
        string entry = s is null ? "" : $" (base {s.Base}, limit {s.Limit}, {Segment.Letters(s.Protection)})";
        string result = t.Fault switch
        {
            null => $"physical {t.Physical} = base {s!.Base} + offset {t.Offset}",
            SegmentFault.NotPresent => $"trap (not-present): segment {t.Segment} has no entry in the segment table",
            SegmentFault.Limit => $"trap (limit): offset {t.Offset} is not below the limit {s!.Limit}",
            _ => $"trap (protection): {Segment.Letters(access)} access to a {Segment.Letters(s!.Protection)} segment",
        };
        return $"segment {t.Segment}{entry}, offset {t.Offset}: {result}";
    }
}
