using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// One intrusive recency list, newest at the head, shared by LRU (evicts from the tail) and MRU (evicts from the
/// head): the two differ only in which end goes.
/// </summary>
public abstract class RecencyListPolicy : IReplayPolicy
{
    private readonly bool _evictMostRecent;
    private readonly Node[] _n;
    private readonly KeyTable _table;
    private DList _list = DList.Empty;
    private int _used;

    protected RecencyListPolicy(int frames, bool evictMostRecent)
    {
        _evictMostRecent = evictMostRecent;
        Frames = frames;
        _n = new Node[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 16L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var n = _n;
        var list = _list;
        int frames = Frames, used = _used;
        int pfEnd = keys.Length - KeyTable.PrefetchDistance;
        for (int k = 0; k < keys.Length; k++)
        {
            long key = keys[k];
            if (k < pfEnd) table.Prefetch(keys[k + KeyTable.PrefetchDistance]);
            ref int v = ref table.FindOrAdd(key, out bool found);
            if (found)
            {
                list.MoveToHead(n, v);
                continue;
            }
            misses++;
            int i;
            if (used < frames)
            {
                i = used++;
                v = i;
                n[i].Key = key;
            }
            else
            {
                if (_evictMostRecent)
                {
                    i = list.Head;
                    list.Remove(n, i);
                }
                else i = list.PopTail(n);
                v = i;
                long old = n[i].Key;
                n[i].Key = key;
                table.Remove(old);
            }
            list.PushHead(n, i);
        }
        _list = list; _used = used;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into) => _list.AppendKeys(_n, into);
}
