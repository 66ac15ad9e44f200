using System.Globalization;
using System.Text;

namespace MmSim.Cache;

/// <summary>
/// The CS:APP Cache Lab reference simulator's rules: I lines ignored, L a load, S a store, M a load then a store;
/// the size is ignored (an access never crosses a block).
/// </summary>
public static class CacheLab
{
    /// <summary>Called per data line with the results of its one or two (M) accesses.</summary>
    public delegate void Observer(in LackeyRecord record, AccessResult first, AccessResult second);

    /// <summary>Replays the trace through <paramref name="cache"/> (whose counters hold the totals).</summary>
    public static void Run(LackeyRecordReader reader, SetAssociativeCache cache, Observer? observer = null)
    {
        while (reader.Next(out var r))
        {
            AccessResult a, b = AccessResult.None;
            switch (r.Op)
            {
                case (byte)'L': a = cache.Access(r.Address, false); break;
                case (byte)'S': a = cache.Access(r.Address, true); break;
                case (byte)'M': a = cache.Access(r.Address, false); b = cache.Access(r.Address, true); break;
                default: continue;
            }
            observer?.Invoke(r, a, b);
        }
    }

    /// <summary>The reference's -v line, e.g. <c>M 12,1 miss eviction hit </c> (with its trailing space).</summary>
    public static string VerboseLine(in LackeyRecord r, AccessResult first, AccessResult second)
    {
        var sb = new StringBuilder();
        sb.Append((char)r.Op).Append(' ').Append(r.Address.ToString("x", CultureInfo.InvariantCulture))
          .Append(',').Append(r.Size.ToString(CultureInfo.InvariantCulture)).Append(' ');
        Words(sb, first);
        if (r.Op == 'M') Words(sb, second);
        return sb.ToString();
    }

    private static void Words(StringBuilder sb, AccessResult x)
    {
        sb.Append((x & AccessResult.Hit) != 0 ? "hit " : "miss ");
        if ((x & AccessResult.Eviction) != 0) sb.Append("eviction ");
    }

    /// <summary>The reference's summary line.</summary>
    public static string Summary(SetAssociativeCache c) => $"hits:{c.Hits} misses:{c.Misses} evictions:{c.Evictions}";
}
