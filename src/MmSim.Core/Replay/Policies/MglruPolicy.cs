using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// A multi-generational LRU in the style of Linux's MGLRU (mm/vmscan.c, lru_gen): resident pages belong to
/// generations numbered min_seq..max_seq (at most <c>gens</c>, at least two); a reference only sets the accessed bit;
/// a faulted-in page joins generation max_seq - 1 (as an anonymous page does). Eviction takes the oldest
/// generation's tail: a page found accessed is promoted to the youngest generation (bit cleared), otherwise it is
/// evicted; an emptied oldest generation retires (min_seq++). When only two generations remain, aging creates a
/// new one (max_seq++) and, like the page-table walk, moves every accessed page into it, clearing the bits.
/// Tiers and the refault feedback (PID controller) are not modelled.
/// </summary>
public sealed class MglruPolicy : IReplayPolicy
{
    private readonly Node[] _n;
    private readonly long[] _gen;     // page -> its generation's sequence number
    private readonly byte[] _young;
    private readonly DList[] _lists;  // indexed by seq % gens
    private readonly KeyTable _table;
    private readonly int _gens;
    private long _minSeq = 0, _maxSeq = 1;
    private int _used;

    public MglruPolicy(int frames, int gens)
    {
        Frames = frames;
        _gens = gens;
        _n = new Node[frames];
        _gen = new long[frames];
        _young = new byte[frames];
        _lists = new DList[gens];
        for (int g = 0; g < gens; g++) _lists[g] = DList.Empty;
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 25L + _table.Bytes;

    private ref DList List(long seq) => ref _lists[(int)(seq % _gens)];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var n = _n;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            if (i >= 0)
            {
                _young[i] = 1;
                continue;
            }
            misses++;
            if (_used < Frames) i = _used++;
            else
            {
                i = Evict();
                _table.Remove(n[i].Key);
            }
            n[i].Key = key;
            _young[i] = 0;
            long seq = Math.Max(_minSeq, _maxSeq - 1);
            _gen[i] = seq;
            List(seq).PushHead(n, i);
            _table.Insert(key, i);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private int Evict()
    {
        var n = _n;
        while (true)
        {
            if (_maxSeq - _minSeq + 1 <= 2) Age();
            ref DList oldest = ref List(_minSeq);
            while (oldest.Count > 0)
            {
                int t = oldest.PopTail(n);
                if (_young[t] == 0) return t;
                _young[t] = 0;
                _gen[t] = _maxSeq;
                List(_maxSeq).PushHead(n, t);
            }
            _minSeq++;
        }
    }

    /// <summary>inc_max_seq plus the page-table walk: a new youngest generation receives every accessed page.</summary>
    private void Age()
    {
        if (_maxSeq - _minSeq + 1 >= _gens) return;
        _maxSeq++;
        var n = _n;
        for (int i = 0; i < _used; i++)
        {
            if (_young[i] == 0) continue;
            _young[i] = 0;
            List(_gen[i]).Remove(n, i);
            _gen[i] = _maxSeq;
            List(_maxSeq).PushHead(n, i);
        }
    }

    public void CopyResident(List<long> into)
    {
        for (long s = _maxSeq; s >= _minSeq; s--) List(s).AppendKeys(_n, into);
    }
}
