using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// S3-FIFO (Yang et al., SOSP '23): a small FIFO (10% of the frames) filters one-hit wonders; a page leaving it
/// after at least `threshold` hits moves to the main FIFO (a 2-bit CLOCK), otherwise it is evicted and remembered
/// in a ghost FIFO; a page found in the ghost is inserted straight into main. Same steps as libCacheSim's S3FIFO,
/// except that (as in the paper and libCacheSim's original S3FIFOv0) a new page always enters the small queue,
/// even before the first eviction; that variant reproduces libCacheSim's published cloudPhysicsIO figure.
/// </summary>
public sealed class S3FifoPolicy : IReplayPolicy
{
    private const byte Small = 1, Main = 2, Ghost = 3;
    private readonly Node[] _n;
    private readonly byte[] _where;
    private readonly byte[] _freq;
    private readonly KeyTable _table;
    private readonly FreeList _free;
    private readonly int _smallSize, _mainSize, _ghostSize, _threshold;
    private DList _small = DList.Empty, _main = DList.Empty, _ghost = DList.Empty;

    public S3FifoPolicy(int frames, double small, double ghost, int threshold)
    {
        Frames = frames;
        _smallSize = Math.Max(1, (int)(frames * small));
        _mainSize = frames - _smallSize;
        _ghostSize = (int)(frames * ghost);
        _threshold = threshold;
        int cap = frames + _ghostSize + 2;
        _n = new Node[cap];
        _where = new byte[cap];
        _freq = new byte[cap];
        _table = new KeyTable(cap);
        _free = new FreeList(cap);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 18L + _table.Bytes + _free.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var n = _n;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            bool ghostHit = false;
            if (i >= 0)
            {
                byte w = _where[i];
                if (w != Ghost)
                {
                    if (_freq[i] < 255) _freq[i]++;
                    continue;
                }
                ghostHit = true;
                _ghost.Remove(n, i);
                Drop(i);
            }
            misses++;
            while (_small.Count + _main.Count + 1 > Frames)
            {
                if (_main.Count > _mainSize || _small.Count == 0) EvictMain();
                else EvictSmall();
            }
            if (ghostHit) Add(ref _main, key, Main);
            else Add(ref _small, key, Small);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void EvictSmall()
    {
        var n = _n;
        while (_small.Count > 0)
        {
            int v = _small.PopTail(n);
            if (_freq[v] >= _threshold)
            {
                _main.PushHead(n, v);
                _where[v] = Main;
                _freq[v] = 0;
            }
            else
            {
                long vk = n[v].Key;
                Drop(v);
                if (_ghostSize > 0)
                {
                    while (_ghost.Count + 1 > _ghostSize) Drop(_ghost.PopTail(n));
                    Add(ref _ghost, vk, Ghost);
                }
                return;
            }
        }
    }

    private void EvictMain()
    {
        var n = _n;
        while (_main.Count > 0)
        {
            int v = _main.PopTail(n);
            int f = _freq[v];
            if (f >= 1)
            {
                _main.PushHead(n, v);
                _freq[v] = (byte)(Math.Min(f, 3) - 1);
            }
            else
            {
                Drop(v);
                return;
            }
        }
    }

    private void Add(ref DList list, long key, byte where)
    {
        int i = _free.Take();
        _n[i].Key = key;
        _where[i] = where;
        _freq[i] = 0;
        list.PushHead(_n, i);
        _table.Insert(key, i);
    }

    private void Drop(int i)
    {
        _table.Remove(_n[i].Key);
        _where[i] = 0;
        _free.Give(i);
    }

    public void CopyResident(List<long> into)
    {
        _small.AppendKeys(_n, into);
        _main.AppendKeys(_n, into);
    }
}
