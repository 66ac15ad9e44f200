using System.Text;
using System.Text.Json;
using MmSim.Segmentation;

namespace MmSim.Cli.Formatting;

/// <summary>Output of <c>mmsim translate --segments</c>: <c>{ segment, offset, physical }</c> or
/// <c>{ segment, offset, fault }</c>.</summary>
public static class SegmentReport
{
    public static string Json(SegmentTranslation t) => MmSim.Translate.TranslateJson.Of(t);

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
