using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// OPT (Belady's MIN): evicts the resident page whose next reference is furthest in the future, from a pre-pass
/// over the trace (<see cref="ReplayTrace.NextUse"/>). An indexed max-heap of frames keyed by next use.
/// </summary>
public sealed class OptPolicy : IReplayPolicy
{
    private readonly int[] _nextUse;
    private readonly long[] _key;     // frame -> page
    private readonly int[] _next;     // frame -> position of its next reference
    private readonly int[] _heap;     // heap of frames
    private readonly int[] _heapPos;  // frame -> index in _heap
    private readonly KeyTable _table;
    private int _used;
    private int _pos;

    public OptPolicy(int frames, ReplayTrace trace)
    {
        Frames = frames;
        _nextUse = trace.NextUse;
        _key = new long[frames];
        _next = new int[frames];
        _heap = new int[frames];
        _heapPos = new int[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => Frames * 20L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var nextUse = _nextUse;
        int frames = Frames, used = _used, pos = _pos;
        foreach (long key in keys)
        {
            int nu = nextUse[pos++];
            int f = table.Find(key);
            if (f >= 0)
            {
                _next[f] = nu;
                SiftUp(_heapPos[f]); // its next use only moves later
                continue;
            }
            misses++;
            if (used < frames)
            {
                f = used++;
                _key[f] = key;
                _next[f] = nu;
                _heap[f] = f;
                _heapPos[f] = f;
                SiftUp(f);
            }
            else
            {
                f = _heap[0];
                table.Remove(_key[f]);
                _key[f] = key;
                _next[f] = nu;
                SiftDown(0, frames);
            }
            table.Insert(key, f);
        }
        _used = used; _pos = pos;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void SiftUp(int i)
    {
        int f = _heap[i];
        int v = _next[f];
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            int pf = _heap[p];
            if (_next[pf] >= v) break;
            _heap[i] = pf; _heapPos[pf] = i;
            i = p;
        }
        _heap[i] = f; _heapPos[f] = i;
    }

    private void SiftDown(int i, int count)
    {
        int f = _heap[i];
        int v = _next[f];
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= count) break;
            if (c + 1 < count && _next[_heap[c + 1]] > _next[_heap[c]]) c++;
            int cf = _heap[c];
            if (_next[cf] <= v) break;
            _heap[i] = cf; _heapPos[cf] = i;
            i = c;
        }
        _heap[i] = f; _heapPos[f] = i;
    }

    public void CopyResident(List<long> into)
    {
        for (int i = 0; i < _used; i++) into.Add(_key[i]);
    }
}
