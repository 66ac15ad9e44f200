using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// LIRS (Jiang &amp; Zhang, SIGMETRICS '02): pages with a short inter-reference recency (LIR, 99% of the frames)
/// stay; the others (HIR) get 1% of the frames in the FIFO-like list Q. The stack S keeps recency order, including
/// non-resident HIR pages (bounded to twice the frames), so a page re-referenced while still in S becomes LIR.
/// Follows libCacheSim's LIRS step for step (stacks S and Q as LRU lists, the list NH of non-resident HIR pages,
/// stack pruning after LIR hits and demotions).
/// </summary>
public sealed class LirsPolicy : IReplayPolicy
{
    // per-entry flags
    private const byte InS = 1, InQ = 2, InNh = 4, Lir = 8, Resident = 16; // Lir/Resident describe the S copy
    private readonly Node[] _s, _q, _nh;
    private readonly byte[] _f;
    private readonly KeyTable _table;
    private readonly FreeList _free;
    private DList _ls = DList.Empty, _lq = DList.Empty, _lnh = DList.Empty;
    private readonly int _hirsLimit, _lirsLimit;
    private long _hirsCount, _lirsCount, _occupied;

    public LirsPolicy(int frames, double hirRatio)
    {
        Frames = frames;
        _hirsLimit = Math.Max(1, (int)(hirRatio * frames));
        _lirsLimit = frames - _hirsLimit;
        int cap = 3 * frames + 16;
        _s = new Node[cap];
        _q = new Node[cap];
        _nh = new Node[cap];
        _f = new byte[cap];
        _table = new KeyTable(cap);
        _free = new FreeList(cap);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _s.Length * 49L + _table.Bytes + _free.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        foreach (long key in keys)
        {
            if (Find(key)) Hits++;
            else
            {
                Misses++;
                if (CanInsert(key))
                {
                    while (_occupied + 1 > Frames) Evict(key);
                    Insert(key);
                }
            }
            LimitStack();
        }
    }

    private int Entry(long key) => _table.Find(key);

    private bool Find(long key)
    {
        int e = Entry(key);
        if (e < 0) return false;
        byte f = _f[e];
        if ((f & InS) != 0) _ls.MoveToHead(_s, e);
        if ((f & InQ) != 0) _lq.MoveToHead(_q, e);
        if ((f & InS) != 0)
        {
            if ((f & Lir) != 0) { Prune(); return true; }
            if ((f & Resident) != 0) { HitResidentHirInS(e); return true; }
            return false;
        }
        if ((f & InQ) != 0) { HitResidentHirInQ(e); return true; }
        return false; // only in NH: cannot happen (NH entries are in S)
    }

    private void HitResidentHirInS(int e)
    {
        if ((_f[e] & InQ) != 0)
        {
            _hirsCount--;
            RemoveQ(e);
            _occupied--;
        }
        while (_lirsCount + 1 > _lirsLimit) EvictLir();
        _f[e] |= Lir;
        _lirsCount++;
        _occupied++;
    }

    private void HitResidentHirInQ(int e)
    {
        long key = _s[e].Key;
        // libCacheSim demotes an LIR page here; when Q has a single frame that would push out the very page being
        // hit (and libCacheSim then keeps it as a resident beyond the frame count), so skip the demotion then.
        bool wouldEvictSelf = _hirsLimit == 1 && _lq.Count == 1 && _lq.Head == e;
        if (!wouldEvictSelf)
            while (_lirsCount + 1 > _lirsLimit) EvictLir();
        PushS(key, Resident);
    }

    private bool CanInsert(long key)
    {
        int e = Entry(key);
        byte f = e >= 0 ? _f[e] : (byte)0;
        if ((f & InS) != 0 && (f & Lir) == 0 && (f & Resident) == 0)
        {
            while (_lirsCount + 1 > _lirsLimit) EvictLir();
            e = Entry(key);
            if (e >= 0 && (_f[e] & InNh) != 0) RemoveNh(e);
            return true;
        }
        if ((f & (InS | InQ)) == 0)
        {
            if (1 > _lirsLimit || 1 > _hirsLimit) return false;
            if (_lirsCount + 1 > _lirsLimit && _hirsCount + 1 > _hirsLimit)
                while (_hirsCount + 1 > _hirsLimit) EvictHir();
            return true;
        }
        throw new InvalidOperationException("LIRS: unexpected state in CanInsert");
    }

    private void Evict(long key)
    {
        int e = Entry(key);
        byte f = e >= 0 ? _f[e] : (byte)0;
        if ((f & InS) != 0 && (f & Lir) == 0 && (f & Resident) == 0)
        {
            while (_hirsCount >= _hirsLimit) EvictHir();
            EvictLir();
        }
        else if ((f & (InS | InQ)) == 0)
        {
            if (_lirsCount + 1 > _lirsLimit && _hirsCount + 1 > _hirsLimit) EvictHir();
            else throw new InvalidOperationException("LIRS: nothing to evict");
        }
        else throw new InvalidOperationException("LIRS: unexpected state in Evict");
    }

    private void Insert(long key)
    {
        int e = Entry(key);
        byte f = e >= 0 ? _f[e] : (byte)0;
        if ((f & InS) != 0 && (f & Lir) == 0 && (f & Resident) == 0)
        {
            _f[e] |= Lir | Resident; // already at the top of S
            _lirsCount++;
            _occupied++;
            return;
        }
        if ((f & (InS | InQ)) == 0)
        {
            if (_lirsCount + 1 <= _lirsLimit)
            {
                PushS(key, Lir | Resident);
                _lirsCount++;
            }
            else
            {
                PushS(key, Resident);
                PushQ(key);
                _hirsCount++;
            }
            _occupied++;
        }
    }

    private void Prune()
    {
        while (_ls.Tail != _ls.Head)
        {
            int t = _ls.Tail;
            byte f = _f[t];
            if ((f & Lir) != 0) break;
            if ((f & Resident) == 0 && (f & InNh) != 0) RemoveNh(t);
            RemoveS(t);
        }
    }

    private void EvictLir()
    {
        int t = _ls.Tail;
        long key = _s[t].Key;
        _lirsCount--;
        RemoveS(t);
        _occupied--;
        if (1 <= _hirsLimit)
        {
            while (_hirsCount + 1 > _hirsLimit) EvictHir();
            PushQ(key);
            _hirsCount++;
            _occupied++;
        }
        Prune();
    }

    private void EvictHir()
    {
        int t = _lq.Tail;
        long key = _s[t].Key;
        _hirsCount--;
        RemoveQ(t);
        int e = Entry(key);
        if (e >= 0 && (_f[e] & InS) != 0)
        {
            _f[e] &= unchecked((byte)~Resident);
            PushNh(key);
        }
        _occupied--;
    }

    private void LimitStack()
    {
        while (_ls.Count > 2L * Frames)
        {
            int t = _lnh.Tail;
            if (t < 0) break;
            if ((_f[t] & InS) != 0) RemoveS(t);
            RemoveNh(t);
        }
    }

    // ---- entry bookkeeping: one entry per page, with a node on each of S, Q, NH it is on ----

    private int EntryFor(long key)
    {
        int e = _table.Find(key);
        if (e >= 0) return e;
        e = _free.Take();
        _f[e] = 0;
        _s[e].Key = key;
        _table.Insert(key, e);
        return e;
    }

    private void Release(int e)
    {
        if ((_f[e] & (InS | InQ | InNh)) != 0) return;
        _table.Remove(_s[e].Key);
        _free.Give(e);
    }

    private void PushS(long key, byte flags)
    {
        int e = EntryFor(key);
        if ((_f[e] & InS) != 0) { _ls.MoveToHead(_s, e); }
        else { _ls.PushHead(_s, e); }
        _f[e] = (byte)((_f[e] & (InQ | InNh)) | InS | flags);
    }

    private void PushQ(long key)
    {
        int e = EntryFor(key);
        if ((_f[e] & InQ) != 0) _lq.MoveToHead(_q, e);
        else _lq.PushHead(_q, e);
        _f[e] |= InQ;
    }

    private void PushNh(long key)
    {
        int e = EntryFor(key);
        if ((_f[e] & InNh) != 0) _lnh.MoveToHead(_nh, e);
        else _lnh.PushHead(_nh, e);
        _f[e] |= InNh;
    }

    private void RemoveS(int e)
    {
        _ls.Remove(_s, e);
        _f[e] &= unchecked((byte)~(InS | Lir | Resident));
        Release(e);
    }

    private void RemoveQ(int e)
    {
        _lq.Remove(_q, e);
        _f[e] &= unchecked((byte)~InQ);
        Release(e);
    }

    private void RemoveNh(int e)
    {
        _lnh.Remove(_nh, e);
        _f[e] &= unchecked((byte)~InNh);
        Release(e);
    }

    public void CopyResident(List<long> into)
    {
        for (int e = _ls.Head; e >= 0; e = _s[e].Next)
            if ((_f[e] & Lir) != 0) into.Add(_s[e].Key);
        for (int e = _lq.Head; e >= 0; e = _q[e].Next) into.Add(_s[e].Key);
        for (int e = _ls.Head; e >= 0; e = _s[e].Next)
            if ((_f[e] & (Lir | Resident | InQ)) == Resident) into.Add(_s[e].Key);
    }
}
