namespace MmSim.Replay.Policies;

/// <summary>LRU: evicts the least recently used page. One intrusive list, newest at the head.</summary>
public sealed class LruPolicy : IReplayPolicy
{
    private readonly Node[] _n;
    private readonly KeyTable _table;
    private DList _list = DList.Empty;
    private int _used;

    public LruPolicy(int frames)
    {
        Frames = frames;
        _n = new Node[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 16L + _table.Bytes;

    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var n = _n;
        var list = _list;
        int frames = Frames, used = _used;
        foreach (long key in keys)
        {
            int i = table.Find(key);
            if (i >= 0)
            {
                list.MoveToHead(n, i);
                continue;
            }
            misses++;
            if (used < frames) i = used++;
            else
            {
                i = list.PopTail(n);
                table.Remove(n[i].Key);
            }
            n[i].Key = key;
            list.PushHead(n, i);
            table.Insert(key, i);
        }
        _list = list; _used = used;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into) => _list.AppendKeys(_n, into);
}
