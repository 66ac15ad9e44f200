namespace MmSim.Replay.Traces;

/// <summary>libCacheSim's csv: the id is in column <see cref="TraceOptions.CsvIdColumn"/> (1-based), optionally
/// after a header line. Fields are not quoted.</summary>
internal sealed class CsvReader(LineSource src, string name, TraceOptions opt) : ITraceReader
{
    private bool _headerSkipped;

    public int Read(Span<long> dst)
    {
        int n = 0;
        byte delim = (byte)opt.CsvDelimiter;
        while (n < dst.Length && src.Next(out var line))
        {
            if (opt.CsvHeader && !_headerSkipped) { _headerSkipped = true; continue; }
            if (Parse.Trim(line).Length == 0) continue;
            var rest = line;
            for (int col = 1; col < opt.CsvIdColumn; col++)
            {
                int d = rest.IndexOf(delim);
                if (d < 0)
                    throw new InputException(name, src.LineNumber,
                        $"expected at least {opt.CsvIdColumn} columns separated by '{opt.CsvDelimiter}', got {col}");
                rest = rest[(d + 1)..];
            }
            int end = rest.IndexOf(delim);
            var field = Parse.Trim(end >= 0 ? rest[..end] : rest);
            if (opt.CsvIdIsNumber)
            {
                if (!Parse.TryKey(field, out dst[n]))
                    throw new InputException(name, src.LineNumber,
                        $"expected a numeric id in column {opt.CsvIdColumn}, got '{Parse.Show(field)}'");
            }
            else
            {
                ulong h = 14695981039346656037UL;
                foreach (byte b in field) { h ^= b; h *= 1099511628211UL; }
                dst[n] = (long)h;
            }
            n++;
        }
        return n;
    }

    public void Dispose() => src.Dispose();
}
