using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// SLRU (segmented LRU): new pages enter the probationary LRU segment; a hit there promotes the page to the
/// protected LRU segment, whose overflow is demoted back to the head of the probationary one; victims come from
/// the probationary tail (the protected tail when the probationary segment is empty).
/// </summary>
public sealed class SlruPolicy : IReplayPolicy
{
    private readonly Node[] _n;
    private readonly bool[] _protected;
    private readonly KeyTable _table;
    private readonly int _protSize;
    private DList _prob = DList.Empty, _prot = DList.Empty;
    private int _used;

    public SlruPolicy(int frames, double protectedShare)
    {
        Frames = frames;
        _protSize = Math.Min(frames - 1, (int)(frames * protectedShare));
        _n = new Node[frames];
        _protected = new bool[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 17L + _table.Bytes;

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
                if (_protected[i]) { _prot.MoveToHead(n, i); continue; }
                _prob.Remove(n, i);
                if (_protSize <= 0) { _prob.PushHead(n, i); continue; }
                if (_prot.Count >= _protSize)
                {
                    int d = _prot.PopTail(n);
                    _protected[d] = false;
                    _prob.PushHead(n, d);
                }
                _prot.PushHead(n, i);
                _protected[i] = true;
                continue;
            }
            misses++;
            if (_used < Frames) i = _used++;
            else
            {
                i = _prob.Count > 0 ? _prob.PopTail(n) : _prot.PopTail(n);
                _table.Remove(n[i].Key);
            }
            n[i].Key = key;
            _protected[i] = false;
            _prob.PushHead(n, i);
            _table.Insert(key, i);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into)
    {
        _prob.AppendKeys(_n, into);
        _prot.AppendKeys(_n, into);
    }
}
