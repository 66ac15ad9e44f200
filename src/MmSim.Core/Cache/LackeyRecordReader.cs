using MmSim.Replay.Traces;

namespace MmSim.Cache;

/// <summary>
/// Reads valgrind lackey lines as <see cref="LackeyRecord"/>s (the replay reader yields only page numbers): parses
/// bytes, no string per line. Skips banner lines (==...) and blank lines; anything else that is not
/// <c>I|L|S|M hexaddr,size</c> is an <see cref="InputException"/> naming the line.
/// </summary>
public sealed class LackeyRecordReader : IDisposable
{
    private readonly LineSource _src;
    private readonly string _name;

    public LackeyRecordReader(Stream stream, string name) { _src = new LineSource(stream); _name = name; }

    public static LackeyRecordReader Open(string path)
    {
        try
        {
            Stream s = File.OpenRead(path);
            // A .gz trace is decompressed on the fly.
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) s = new System.IO.Compression.GZipStream(s, System.IO.Compression.CompressionMode.Decompress);
            return new LackeyRecordReader(s, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string why = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            throw new InputException(path, 0, $"cannot read the trace: {why}", inner: ex);
        }
    }

    public bool Next(out LackeyRecord record)
    {
        while (ReadLine(out var raw))
        {
            if (raw.Length >= 2 && raw[0] == '=' && raw[1] == '=') continue;
            var line = Parse.Trim(raw);
            if (line.Length == 0) continue;
            byte op = line[0];
            if ((op != 'I' && op != 'L' && op != 'S' && op != 'M') || line.Length < 2 || (line[1] != ' ' && line[1] != '\t'))
                throw Bad(line, "expected a lackey record 'I|L|S|M hexaddr,size'");
            var rest = Parse.Trim(line[1..]);
            int comma = rest.IndexOf((byte)',');
            if (comma <= 0 || comma > 16) throw Bad(line, "expected a hex address (1 to 16 digits) and ',size'");
            ulong addr = 0;
            foreach (byte c in rest[..comma])
            {
                int d = Parse.HexDigit(c);
                if (d < 0) throw Bad(line, "expected a hex address");
                addr = (addr << 4) | (uint)d;
            }
            var sizeText = rest[(comma + 1)..];
            if (sizeText.Length is 0 or > 9) throw Bad(line, "expected a decimal size after ','");
            int size = 0;
            foreach (byte c in sizeText)
            {
                uint d = (uint)(c - '0');
                if (d > 9) throw Bad(line, "expected a decimal size after ','");
                size = size * 10 + (int)d;
            }
            record = new LackeyRecord(op, addr, size, _src.LineNumber);
            return true;
        }
        record = default;
        return false;
    }

    private bool ReadLine(out ReadOnlySpan<byte> raw)
    {
        try { return _src.Next(out raw); }
        catch (InvalidDataException ex)
        {
            throw new InputException(_name, _src.LineNumber + 1, $"the compressed trace is damaged: {ex.Message}", inner: ex);
        }
    }

    private InputException Bad(ReadOnlySpan<byte> line, string what) =>
        new(_name, _src.LineNumber, $"{what}, got '{Parse.Show(line)}'");

    public void Dispose() => _src.Dispose();
}
