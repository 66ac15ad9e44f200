using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// ARC (Megiddo &amp; Modha, FAST '03): T1 (seen once recently) and T2 (seen at least twice) hold the resident
/// pages; ghost lists B1 and B2 remember pages recently evicted from each; a ghost hit moves the target size p of
/// T1 towards the list that would have hit. Follows libCacheSim's ARC step for step (p a double; a ghost hit only
/// triggers REPLACE when memory is full; a page missing everywhere runs the paper's case IV).
/// </summary>
public sealed class ArcPolicy : IReplayPolicy
{
    private const byte T1 = 1, B1 = 2, T2 = 3, B2 = 4;
    private readonly Node[] _n;
    private readonly byte[] _where;
    private readonly KeyTable _table;
    private readonly FreeList _free;
    private DList _t1 = DList.Empty, _b1 = DList.Empty, _t2 = DList.Empty, _b2 = DList.Empty;
    private double _p;

    public ArcPolicy(int frames)
    {
        Frames = frames;
        int cap = 2 * frames + 2;
        _n = new Node[cap];
        _where = new byte[cap];
        _table = new KeyTable(cap);
        _free = new FreeList(cap);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 17L + _table.Bytes + _free.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        int c = Frames;
        var n = _n;
        var where = _where;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            bool ghostHit = false, inB2 = false;
            if (i >= 0)
            {
                byte w = where[i];
                if (w == T1)
                {
                    _t1.Remove(n, i);
                    _t2.PushHead(n, i);
                    where[i] = T2;
                    continue;
                }
                if (w == T2)
                {
                    _t2.MoveToHead(n, i);
                    continue;
                }
                ghostHit = true;
                if (w == B1)
                {
                    _p = Math.Min(_p + Math.Max((double)_b2.Count / _b1.Count, 1), c);
                    _b1.Remove(n, i);
                }
                else
                {
                    inB2 = true;
                    _p = Math.Max(_p - Math.Max((double)_b1.Count / _b2.Count, 1), 0);
                    _b2.Remove(n, i);
                }
                _table.Remove(key);
                _free.Give(i);
            }
            misses++;
            while (_t1.Count + _t2.Count + 1 > c)
            {
                if (ghostHit) Replace(inB2);
                else EvictMissOnAllQueues();
            }
            i = _free.Take();
            n[i].Key = key;
            if (ghostHit) { _t2.PushHead(n, i); where[i] = T2; }
            else { _t1.PushHead(n, i); where[i] = T1; }
            _table.Insert(key, i);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void Replace(bool inB2)
    {
        var n = _n;
        if ((_t1.Count > 0 && (_t1.Count > _p || (_t1.Count == _p && inB2))) || _t2.Count == 0)
        {
            int v = _t1.PopTail(n);
            _b1.PushHead(n, v);
            _where[v] = B1;
        }
        else
        {
            int v = _t2.PopTail(n);
            _b2.PushHead(n, v);
            _where[v] = B2;
        }
    }

    private void EvictMissOnAllQueues()
    {
        var n = _n;
        int c = Frames;
        if (_t1.Count + _b1.Count + 1 > c)
        {
            if (_b1.Count > 0)
            {
                Drop(_b1.PopTail(n));
                Replace(false);
            }
            else Drop(_t1.PopTail(n));
        }
        else
        {
            if (_t1.Count + _b1.Count + _t2.Count + _b2.Count >= 2 * c && _b2.Count > 0)
                Drop(_b2.PopTail(n));
            Replace(false);
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
