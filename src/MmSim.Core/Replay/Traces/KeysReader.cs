namespace MmSim.Replay.Traces;

/// <summary>Plain keys and libCacheSim's txt: one page number per line (decimal, or hex with 0x). Blank lines and
/// lines starting with # are skipped.</summary>
internal sealed class KeysReader(LineSource src, string name) : ITraceReader
{
    public int Read(Span<long> dst)
    {
        int n = 0;
        while (n < dst.Length && src.Next(out var raw))
        {
            var line = Parse.Trim(raw);
            if (line.Length == 0 || line[0] == '#') continue;
            if (!Parse.TryKey(line, out dst[n]))
                throw new InputException(name, src.LineNumber,
                    $"expected a page number (decimal, or hex with 0x), got '{Parse.Show(line)}'");
            n++;
        }
        return n;
    }

    public void Dispose() => src.Dispose();
}
