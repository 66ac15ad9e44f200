namespace MmSim.Replay.Traces;

/// <summary>Splits a byte stream into lines (without the newline or a trailing CR), counting them, with no
/// allocation per line.</summary>
internal sealed class LineSource : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buf = new byte[1 << 20];
    private int _start, _end;
    private bool _eof;

    public LineSource(Stream stream) { _stream = stream; }

    /// <summary>1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    public bool Next(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int nl = _buf.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int len = nl;
                if (len > 0 && _buf[_start + len - 1] == '\r') len--;
                line = _buf.AsSpan(_start, len);
                _start += nl + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start < _end)
                {
                    int len = _end - _start;
                    if (_buf[_start + len - 1] == '\r') len--;
                    line = _buf.AsSpan(_start, len);
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        int n = _stream.Read(_buf, _end, _buf.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    public void Dispose() => _stream.Dispose();
}

internal static class Parse
{
    /// <summary>Parses a decimal number or a hex number with 0x (up to 64 bits) from trimmed text.</summary>
    public static bool TryKey(ReadOnlySpan<byte> s, out long value)
    {
        ulong v = 0;
        value = 0;
        if (s.Length == 0) return false;
        if (s.Length > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        {
            if (s.Length > 18) return false;
            for (int i = 2; i < s.Length; i++)
            {
                int d = HexDigit(s[i]);
                if (d < 0) return false;
                v = (v << 4) | (uint)d;
            }
            value = (long)v;
            return true;
        }
        if (s.Length > 20) return false;
        foreach (byte c in s)
        {
            uint d = (uint)(c - '0');
            if (d > 9) return false;
            ulong nv = v * 10 + d;
            if (nv < v || v > ulong.MaxValue / 10) return false;
            v = nv;
        }
        value = (long)v;
        return true;
    }

    public static int HexDigit(byte c)
    {
        uint d = (uint)(c - '0');
        if (d <= 9) return (int)d;
        d = (uint)((c | 0x20) - 'a');
        return d <= 5 ? (int)d + 10 : -1;
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        return s[a..b];
    }

    public static string Show(ReadOnlySpan<byte> s)
    {
        string t = System.Text.Encoding.UTF8.GetString(s.Length > 40 ? s[..40] : s);
        return s.Length > 40 ? t + "..." : t;
    }
}
