using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// CAR (Bansal &amp; Modha, FAST '04), CLOCK with Adaptive Replacement: ARC's structure with the resident lists T1
/// and T2 kept as clocks with reference bits, so a hit only sets a bit; ghost lists B1 and B2 adapt the target size
/// p of T1 exactly as in ARC. Follows the paper's pseudocode.
/// </summary>
public sealed class CarPolicy : IReplayPolicy
{
    private const byte T1 = 1, B1 = 2, T2 = 3, B2 = 4;
    private readonly Node[] _n;
    private readonly byte[] _where;
    private readonly byte[] _ref;
    private readonly KeyTable _table;
    private readonly FreeList _free;
    // Clocks: Tail = the clock's head (the hand), Head = its tail (newest). Ghosts: Head = MRU.
    private DList _t1 = DList.Empty, _b1 = DList.Empty, _t2 = DList.Empty, _b2 = DList.Empty;
    private double _p;

    public CarPolicy(int frames)
    {
        Frames = frames;
        int cap = 2 * frames + 2;
        _n = new Node[cap];
        _where = new byte[cap];
        _ref = new byte[cap];
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
        int c = Frames;
        var n = _n;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            byte w = i >= 0 ? _where[i] : (byte)0;
            if (w == T1 || w == T2)
            {
                _ref[i] = 1;
                continue;
            }
            misses++;
            bool inGhost = w == B1 || w == B2;
            if (_t1.Count + _t2.Count == c)
            {
                Replace();
                if (!inGhost)
                {
                    if (_t1.Count + _b1.Count == c) Drop(_b1.PopTail(n));
                    else if (_t1.Count + _t2.Count + _b1.Count + _b2.Count == 2 * c) Drop(_b2.PopTail(n));
                }
            }
            if (!inGhost)
            {
                i = _free.Take();
                n[i].Key = key;
                _table.Insert(key, i);
                _t1.PushHead(n, i);
                _where[i] = T1;
            }
            else
            {
                if (w == B1)
                {
                    _p = Math.Min(_p + Math.Max(1, (double)_b2.Count / _b1.Count), c);
                    _b1.Remove(n, i);
                }
                else
                {
                    _p = Math.Max(_p - Math.Max(1, (double)_b1.Count / _b2.Count), 0);
                    _b2.Remove(n, i);
                }
                _t2.PushHead(n, i);
                _where[i] = T2;
            }
            _ref[i] = 0;
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void Replace()
    {
        var n = _n;
        while (true)
        {
            if (_t1.Count >= Math.Max(1, _p))
            {
                int h = _t1.PopTail(n);
                if (_ref[h] == 0)
                {
                    _b1.PushHead(n, h);
                    _where[h] = B1;
                    return;
                }
                _ref[h] = 0;
                _t2.PushHead(n, h);
                _where[h] = T2;
            }
            else
            {
                int h = _t2.PopTail(n);
                if (_ref[h] == 0)
                {
                    _b2.PushHead(n, h);
                    _where[h] = B2;
                    return;
                }
                _ref[h] = 0;
                _t2.PushHead(n, h);
            }
        }
    }

    private void Drop(int i)
    {
        _table.Remove(_n[i].Key);
        _where[i] = 0;
        _free.Give(i);
    }

    public void CopyResident(List<long> into)
    {
        _t1.AppendKeys(_n, into);
        _t2.AppendKeys(_n, into);
    }
}
