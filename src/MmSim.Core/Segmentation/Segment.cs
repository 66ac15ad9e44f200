namespace MmSim.Segmentation;

[Flags]
public enum SegmentAccess { None = 0, Read = 1, Write = 2, Execute = 4, All = Read | Write | Execute }

/// <summary>One entry of a segment table: where the segment starts in physical memory, its length (the limit:
/// offsets 0 to limit − 1 are valid), and what it may be used for.</summary>
public sealed record Segment(int Number, long Base, long Limit, SegmentAccess Protection)
{
    public static string Letters(SegmentAccess a) =>
        a == SegmentAccess.None ? "-" :
        $"{((a & SegmentAccess.Read) != 0 ? "r" : "")}{((a & SegmentAccess.Write) != 0 ? "w" : "")}{((a & SegmentAccess.Execute) != 0 ? "x" : "")}";

    /// <summary>Parses "r", "rw", "rx", "rwx" (any order); null when a letter is not one of r, w, x.</summary>
    public static SegmentAccess? ParseLetters(string text)
    {
        var a = SegmentAccess.None;
        foreach (char c in text)
        {
            var bit = c switch { 'r' => SegmentAccess.Read, 'w' => SegmentAccess.Write, 'x' => SegmentAccess.Execute, _ => (SegmentAccess?)null };
            if (bit is null) return null;
            a |= bit.Value;
        }
        return a;
    }
}

public enum SegmentFault { Limit, Protection, NotPresent }

/// <summary>The outcome of translating (segment, offset): a physical address, or the trap the hardware raises.</summary>
public sealed record SegmentTranslation(int Segment, long Offset, long? Physical, SegmentFault? Fault)
{
    public static string Name(SegmentFault f) => f switch
    {
        SegmentFault.Limit => "limit",
        SegmentFault.Protection => "protection",
        _ => "not-present",
    };
}
