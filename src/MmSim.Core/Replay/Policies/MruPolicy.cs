using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>MRU: evicts the most recently used page (good for loops larger than memory).</summary>
public sealed class MruPolicy : IReplayPolicy
{
    private readonly Node[] _n;
    private readonly KeyTable _table;
    private DList _list = DList.Empty;
    private int _used;

    public MruPolicy(int frames)
    {
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
                i = list.Head;
                list.Remove(n, i);
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
