using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// LFU: evicts the resident page with the fewest references since it was brought in; ties go to the least
/// recently used. An indexed binary min-heap of frames keyed by (count, last reference time).
/// </summary>
public sealed class LfuPolicy : IReplayPolicy
{
    private readonly long[] _key;
    private readonly long[] _count;
    private readonly long[] _last;
    private readonly int[] _heap, _pos;
    private readonly KeyTable _table;
    private int _used;
    private long _time;

    public LfuPolicy(int frames)
    {
        Frames = frames;
        _key = new long[frames];
        _count = new long[frames];
        _last = new long[frames];
        _heap = new int[frames];
        _pos = new int[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => Frames * 32L + _table.Bytes;

    private bool Less(int a, int b) => _count[a] < _count[b] || (_count[a] == _count[b] && _last[a] < _last[b]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        foreach (long key in keys)
        {
            long now = ++_time;
            int f = _table.Find(key);
            if (f >= 0)
            {
                _count[f]++;
                _last[f] = now;
                SiftDown(_pos[f]); // its key only grows
                continue;
            }
            misses++;
            if (_used < Frames)
            {
                f = _used++;
                _heap[f] = f; _pos[f] = f;
                Set(f, key, now);
                SiftUp(f);
            }
            else
            {
                f = _heap[0];
                _table.Remove(_key[f]);
                Set(f, key, now);
                SiftDown(0);
            }
            _table.Insert(key, f);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void Set(int f, long key, long now)
    {
        _key[f] = key;
        _count[f] = 1;
        _last[f] = now;
    }

    private void SiftUp(int i)
    {
        int f = _heap[i];
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (!Less(f, _heap[p])) break;
            _heap[i] = _heap[p]; _pos[_heap[i]] = i;
            i = p;
        }
        _heap[i] = f; _pos[f] = i;
    }

    private void SiftDown(int i)
    {
        int f = _heap[i];
        int n = _used;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && Less(_heap[c + 1], _heap[c])) c++;
            if (!Less(_heap[c], f)) break;
            _heap[i] = _heap[c]; _pos[_heap[i]] = i;
            i = c;
        }
        _heap[i] = f; _pos[f] = i;
    }

    public void CopyResident(List<long> into)
    {
        for (int i = 0; i < _used; i++) into.Add(_key[i]);
    }
}
