using System.IO.Compression;

namespace MmSim.Replay.Traces;

/// <summary>Opens traces (files, or "-" for standard input), undoing gzip and zstd compression found by their magic
/// bytes, and loads them into a <see cref="ReplayTrace"/>.</summary>
public static class TraceLoader
{
    /// <summary>Opens a reader. <paramref name="stdin"/> is used for "-".</summary>
    public static ITraceReader Open(string path, TraceOptions opt, Func<Stream>? stdin = null)
    {
        Stream raw;
        if (path == "-")
            raw = (stdin ?? Console.OpenStandardInput)();
        else
        {
            if (Directory.Exists(path)) throw new InputException(path, 0, "is a directory, expected a trace file");
            if (!File.Exists(path)) throw new InputException(path, 0, "no such file");
            raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        string name = path == "-" ? "<stdin>" : path;
        var stream = Decompress(raw);
        return opt.Format switch
        {
            TraceFormat.OracleGeneral => new OracleGeneralReader(stream, name),
            TraceFormat.Csv => new CsvReader(new LineSource(stream), name, opt),
            TraceFormat.Lackey => new LackeyReader(new LineSource(stream), name, opt),
            _ => new KeysReader(new LineSource(stream), name),
        };
    }

    /// <summary>Wraps the stream in a decompressor when it starts with the gzip (1f 8b) or zstd (28 b5 2f fd)
    /// magic.</summary>
    public static Stream Decompress(Stream raw)
    {
        var head = new byte[4];
        int got = 0;
        while (got < 4)
        {
            int r = raw.Read(head, got, 4 - got);
            if (r == 0) break;
            got += r;
        }
        Stream s = new PrefixedStream(head.AsMemory(0, got), raw);
        if (got >= 2 && head[0] == 0x1f && head[1] == 0x8b) return new GZipStream(s, CompressionMode.Decompress);
        if (got >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
            return new ZstdSharp.DecompressionStream(s);
        return s;
    }

    public static ReplayTrace Load(string path, TraceOptions opt, Func<Stream>? stdin = null)
    {
        using var reader = Open(path, opt, stdin);
        return ReadAll(reader, path == "-" ? "<stdin>" : path, TraceOptions.Name(opt.Format));
    }

    public static ReplayTrace ReadAll(ITraceReader reader, string name, string format)
    {
        long[] keys = new long[1 << 16];
        int count = 0;
        while (true)
        {
            if (count == keys.Length)
            {
                if (keys.Length >= Array.MaxLength / 2)
                    throw new InputException(name, 0, $"trace longer than {keys.Length} references; use --shards to sample it");
                Array.Resize(ref keys, keys.Length * 2);
            }
            int n = reader.Read(keys.AsSpan(count));
            if (n == 0) break;
            count += n;
        }
        return new ReplayTrace(name, format, keys, count);
    }

    /// <summary>Parses a reference string "7,0,1,2" (commas or spaces).</summary>
    public static ReplayTrace FromRefs(string refs)
    {
        var parts = refs.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var keys = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!Parse.TryKey(System.Text.Encoding.ASCII.GetBytes(parts[i]), out keys[i]))
                throw new InputException("--refs", 0,
                    $"reference {i + 1}: expected a page number (decimal, or hex with 0x), got '{parts[i]}'");
        }
        if (keys.Length == 0) throw new InputException("--refs", 0, "expected at least one page number");
        return new ReplayTrace("refs", "refs", keys, keys.Length);
    }
}

/// <summary>A read-only stream that first returns some bytes already read, then the rest of another stream.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.Length > 0)
        {
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
        return rest.Read(buffer);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) rest.Dispose(); base.Dispose(disposing); }
}
