using MmSim.Cli.Formatting;
using MmSim.Segmentation;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim translate --segments TABLE --segment S --offset O</c>: the physical address or the trap.</summary>
internal static class SegmentTranslate
{
    public static int Run(string segments, int? segment, string? offset, string access, bool json, TextWriter stdout)
    {
        var table = SegmentTable.Parse(segments);
        int seg = segment ?? throw new InputException("--segment", 0, "--segments needs --segment, the segment number");
        string offText = offset ?? throw new InputException("--offset", 0, "--segments needs --offset, the offset in the segment");
        if (!SegmentTable.Number(offText, out long off)) throw new InputException("--offset", 0, $"invalid offset '{offText}'; expected a non-negative number");
        var how = access.Length == 1 ? Segment.ParseLetters(access) : null;
        if (how is null) throw new InputException("--access", 0, $"invalid access '{access}'; expected r, w or x");
        var r = table.Translate(seg, off, how.Value);
        stdout.WriteLine(json ? SegmentReport.Json(r) : SegmentReport.Text(r, table, how.Value));
        return ExitCodes.Ok;
    }
}
