using System.Globalization;

namespace MmSim.Segmentation;

/// <summary>
/// A process's segment table (the textbook model: a logical address is (segment, offset); physical = base +
/// offset when offset &lt; limit). A segment number with no entry is not present. Checks in the order a
/// segmented MMU makes them: present, then limit, then the access against the protection.
/// </summary>
public sealed class SegmentTable
{
    private readonly SortedDictionary<int, Segment> _segments = new();

    public IEnumerable<Segment> Segments => _segments.Values;

    public void Add(Segment s)
    {
        if (!_segments.TryAdd(s.Number, s)) throw new ArgumentException($"segment {s.Number} is already in the table");
    }

    public SegmentTranslation Translate(int segment, long offset, SegmentAccess access = SegmentAccess.Read)
    {
        if (!_segments.TryGetValue(segment, out var s)) return new(segment, offset, null, SegmentFault.NotPresent);
        if (offset < 0 || offset >= s.Limit) return new(segment, offset, null, SegmentFault.Limit);
        if ((access & ~s.Protection) != 0) return new(segment, offset, null, SegmentFault.Protection);
        return new(segment, offset, s.Base + offset, null);
    }

    /// <summary>
    /// Parses "SEG:BASE:LIMIT[:PROT],..." (decimal, or 0x-hex; PROT letters r, w, x, default rwx), e.g. the
    /// textbook table "0:1400:1000,1:6300:400,2:4300:400,3:3200:1100,4:4700:1000".
    /// </summary>
    public static SegmentTable Parse(string text, string source = "--segments")
    {
        var table = new SegmentTable();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var f = item.Split(':');
            SegmentAccess? prot = f.Length == 4 ? Segment.ParseLetters(f[3]) : SegmentAccess.All;
            if (f.Length is < 3 or > 4 || !Number(f[0], out long n) || n > int.MaxValue || !Number(f[1], out long b)
                || !Number(f[2], out long limit) || prot is null)
                throw new InputException(source, 0, $"invalid segment '{item}'; expected SEG:BASE:LIMIT[:PROT] with PROT letters r, w, x, e.g. 2:4300:400:rw");
            if (table._segments.ContainsKey((int)n))
                throw new InputException(source, 0, $"segment {n} is given twice");
            table.Add(new Segment((int)n, b, limit, prot.Value));
        }
        if (table._segments.Count == 0) throw new InputException(source, 0, "expected at least one segment SEG:BASE:LIMIT");
        return table;
    }

    /// <summary>A non-negative decimal or 0x-hex number.</summary>
    public static bool Number(string text, out long value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
