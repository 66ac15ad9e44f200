namespace MmSim.Replay.Traces;

/// <summary>Trace formats <c>mmsim replay --format</c> reads.</summary>
public enum TraceFormat
{
    /// <summary>One page number per line, decimal or hex with 0x.</summary>
    Keys,
    /// <summary>libCacheSim's txt: one object id per line (read like <see cref="Keys"/>).</summary>
    Txt,
    /// <summary>libCacheSim's csv: the id in a chosen column, with or without a header.</summary>
    Csv,
    /// <summary>valgrind lackey output (I, L, S, M lines), addresses turned into pages.</summary>
    Lackey,
    /// <summary>libCacheSim's oracleGeneral binary: 24-byte little-endian records.</summary>
    OracleGeneral,
}

/// <summary>How to read a trace: the format and its options.</summary>
public sealed record TraceOptions
{
    public TraceFormat Format { get; init; } = TraceFormat.Keys;
    /// <summary>lackey: bytes per page (addresses are divided by it).</summary>
    public long PageSize { get; init; } = 4096;
    /// <summary>lackey: drop instruction fetches (I lines).</summary>
    public bool NoInstructions { get; init; }
    /// <summary>csv: 1-based column holding the id.</summary>
    public int CsvIdColumn { get; init; } = 1;
    /// <summary>csv: the first line is a header.</summary>
    public bool CsvHeader { get; init; }
    public char CsvDelimiter { get; init; } = ',';
    /// <summary>csv: ids are numbers (otherwise every id is hashed to 64 bits with FNV-1a, as libCacheSim does
    /// with obj-id-is-num=false).</summary>
    public bool CsvIdIsNumber { get; init; } = true;

    public static string Name(TraceFormat f) => f switch
    {
        TraceFormat.Keys => "keys",
        TraceFormat.Txt => "txt",
        TraceFormat.Csv => "csv",
        TraceFormat.Lackey => "lackey",
        TraceFormat.OracleGeneral => "oracleGeneral",
        _ => f.ToString(),
    };

    public static readonly string[] Names = ["keys", "txt", "csv", "lackey", "oracleGeneral"];

    public static TraceFormat Parse(string s) => s.ToLowerInvariant() switch
    {
        "keys" or "plain" => TraceFormat.Keys,
        "txt" => TraceFormat.Txt,
        "csv" => TraceFormat.Csv,
        "lackey" or "valgrind" => TraceFormat.Lackey,
        "oraclegeneral" or "oracle" => TraceFormat.OracleGeneral,
        _ => throw new InputException("command line", 0,
            $"unknown trace format '{s}'; expected one of: {string.Join(", ", Names)}"),
    };

    /// <summary>A guess from the file name, when --format is not given.</summary>
    public static TraceFormat Guess(string path)
    {
        string p = path.ToLowerInvariant();
        foreach (var ext in new[] { ".gz", ".zst" })
            if (p.EndsWith(ext)) p = p[..^ext.Length];
        if (p.Contains("oraclegeneral")) return TraceFormat.OracleGeneral;
        if (p.EndsWith(".csv")) return TraceFormat.Csv;
        if (p.EndsWith(".trace")) return TraceFormat.Lackey;
        if (p.EndsWith(".txt")) return TraceFormat.Txt;
        return TraceFormat.Keys;
    }
}

/// <summary>Reads page numbers from a trace, in batches.</summary>
public interface ITraceReader : IDisposable
{
    /// <summary>Fills <paramref name="dst"/> with the next page numbers; returns how many (0 at the end).</summary>
    int Read(Span<long> dst);
}
