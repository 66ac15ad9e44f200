using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// 2Q (Johnson &amp; Shasha, VLDB '94), the full version: a new page enters A1in (FIFO, Kin of the frames); pages
/// leaving A1in are remembered in the ghost FIFO A1out (Kout entries); a page referenced again while in A1out goes
/// to Am (LRU, the rest of the frames); hits in A1in change nothing. Same steps as libCacheSim's TwoQ (when full,
/// evict from A1in if it is over Kin, else from Am; Am also evicts on its own when it is at its size).
/// </summary>
public sealed class TwoQPolicy : IReplayPolicy
{
    private const byte In = 1, Out = 2, Am = 3;
    private readonly Node[] _n;
    private readonly byte[] _where;
    private readonly KeyTable _table;
    private readonly FreeList _free;
    private readonly int _kin, _kout, _amSize;
    private DList _in = DList.Empty, _out = DList.Empty, _am = DList.Empty;

    public TwoQPolicy(int frames, double kin, double kout)
    {
        Frames = frames;
        _kin = Math.Max(1, (int)(frames * kin));
        _kout = (int)(frames * kout);
        _amSize = frames - _kin;
        int cap = frames + _kout + 2;
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
        var n = _n;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            bool ghost = false;
            if (i >= 0)
            {
                byte w = _where[i];
                if (w == In) continue;
                if (w == Am) { _am.MoveToHead(n, i); continue; }
                ghost = true;
                _out.Remove(n, i);
                Drop(i);
            }
            misses++;
            while (_in.Count + _am.Count + 1 > Frames)
            {
                if (_in.Count > _kin || _am.Count == 0)
                {
                    int v = _in.PopTail(n);
                    long vk = n[v].Key;
                    Drop(v);
                    if (_kout > 0)
                    {
                        while (_out.Count + 1 > _kout) Drop(_out.PopTail(n));
                        Add(ref _out, vk, Out);
                    }
                }
                else Drop(_am.PopTail(n));
            }
            if (ghost && _amSize > 0)
            {
                while (_am.Count + 1 > _amSize) Drop(_am.PopTail(n));
                Add(ref _am, key, Am);
            }
            else Add(ref _in, key, In);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    private void Add(ref DList list, long key, byte where)
    {
        int i = _free.Take();
        _n[i].Key = key;
        _where[i] = where;
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
        _in.AppendKeys(_n, into);
        _am.AppendKeys(_n, into);
    }
}
