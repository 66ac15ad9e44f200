namespace MmSim.Replay.Traces;

/// <summary>
/// valgrind lackey output: <c>I  addr,size</c> (instruction fetch), <c> L addr,size</c>, <c> S addr,size</c>,
/// <c> M addr,size</c> (modify: a load then a store, two references). Addresses are hex without 0x; the page is
/// address / page size (an access crossing a page boundary counts for its first page only). Banner lines
/// starting with == are skipped.
/// </summary>
internal sealed class LackeyReader : ITraceReader
{
    private readonly LineSource _src;
    private readonly string _name;
    private readonly TraceOptions _opt;
    private readonly int _shift;
    private long _pending = -1;

    public LackeyReader(LineSource src, string name, TraceOptions opt)
    {
        _src = src; _name = name; _opt = opt;
        _shift = System.Numerics.BitOperations.IsPow2(opt.PageSize)
            ? System.Numerics.BitOperations.Log2((ulong)opt.PageSize) : -1;
    }

    public int Read(Span<long> dst)
    {
        int n = 0;
        if (_pending >= 0 && dst.Length > 0) { dst[n++] = _pending; _pending = -1; }
        while (n < dst.Length && _src.Next(out var raw))
        {
            if (raw.Length >= 2 && raw[0] == '=' && raw[1] == '=') continue;
            var line = Parse.Trim(raw);
            if (line.Length == 0) continue;
            byte op = line[0];
            if (op != 'I' && op != 'L' && op != 'S' && op != 'M')
                throw new InputException(_name, _src.LineNumber,
                    $"expected a lackey record 'I|L|S|M hexaddr,size', got '{Parse.Show(line)}'");
            if (op == 'I' && _opt.NoInstructions) continue;
            var rest = Parse.Trim(line[1..]);
            int comma = rest.IndexOf((byte)',');
            var addrText = comma >= 0 ? rest[..comma] : rest;
            ulong addr = 0;
            bool ok = addrText.Length is > 0 and <= 16;
            foreach (byte c in addrText)
            {
                int d = Parse.HexDigit(c);
                if (d < 0) { ok = false; break; }
                addr = (addr << 4) | (uint)d;
            }
            if (ok && comma >= 0)
            {
                var size = Parse.Trim(rest[(comma + 1)..]);
                ok = size.Length > 0;
                foreach (byte c in size) if ((uint)(c - '0') > 9) ok = false;
            }
            if (!ok || comma < 0)
                throw new InputException(_name, _src.LineNumber,
                    $"expected a hex address and a decimal size ('{(char)op} hexaddr,size'), got '{Parse.Show(line)}'");
            long page = _shift >= 0 ? (long)(addr >> _shift) : (long)(addr / (ulong)_opt.PageSize);
            dst[n++] = page;
            if (op == 'M')
            {
                if (n < dst.Length) dst[n++] = page;
                else _pending = page;
            }
        }
        return n;
    }

    public void Dispose() => _src.Dispose();
}
