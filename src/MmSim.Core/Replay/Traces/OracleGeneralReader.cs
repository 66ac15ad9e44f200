using System.Buffers.Binary;

namespace MmSim.Replay.Traces;

/// <summary>libCacheSim's oracleGeneral: 24-byte little-endian records
/// <c>{ uint32 time; uint64 obj_id; uint32 obj_size; int64 next_access_vtime }</c>; the id is the page.</summary>
internal sealed class OracleGeneralReader(Stream stream, string name) : ITraceReader
{
    public const int RecordSize = 24;
    private readonly byte[] _buf = new byte[RecordSize * 2048]; // 48 KB: small, so replaying stays in cache
    private int _have;      // bytes buffered (a partial record carried over)
    private long _offset;   // file offset of _buf[0]
    private bool _eof;

    public int Read(Span<long> dst)
    {
        int n = 0;
        while (n < dst.Length)
        {
            if (_have < RecordSize)
            {
                if (_eof)
                {
                    if (_have > 0)
                        throw new InputException(name, 0,
                            $"truncated oracleGeneral record at byte offset {_offset}: expected 24-byte records, " +
                            $"found {_have} trailing bytes");
                    break;
                }
                int r = stream.Read(_buf, _have, _buf.Length - _have);
                if (r == 0) _eof = true;
                _have += r;
                continue;
            }
            int records = Math.Min(_have / RecordSize, dst.Length - n);
            var src = _buf.AsSpan(0, records * RecordSize);
            for (int i = 0; i < records; i++)
                dst[n + i] = BinaryPrimitives.ReadInt64LittleEndian(src.Slice(i * RecordSize + 4, 8));
            n += records;
            int used = records * RecordSize;
            Buffer.BlockCopy(_buf, used, _buf, 0, _have - used);
            _have -= used;
            _offset += used;
        }
        return n;
    }

    public void Dispose() => stream.Dispose();
}
