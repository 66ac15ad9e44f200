using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// SIEVE (Zhang et al., NSDI '24): a FIFO queue with a visited bit and a hand that moves from the oldest page
/// towards the newest, clearing visited bits and evicting the first unvisited page; new pages go to the head
/// and survivors stay in place. Same steps as libCacheSim's Sieve.
/// </summary>
public sealed class SievePolicy : IReplayPolicy
{
    private readonly Node[] _n;
    private readonly byte[] _visited;
    private readonly KeyTable _table;
    private DList _list = DList.Empty;
    private int _used, _hand = -1;

    public SievePolicy(int frames)
    {
        Frames = frames;
        _n = new Node[frames];
        _visited = new byte[frames];
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
        var table = _table;
        var n = _n;
        var vis = _visited;
        var list = _list;
        int frames = Frames, used = _used, hand = _hand;
        int pfEnd = keys.Length - KeyTable.PrefetchDistance;
        for (int k = 0; k < keys.Length; k++)
        {
            long key = keys[k];
            if (k < pfEnd) table.Prefetch(keys[k + KeyTable.PrefetchDistance]);
            ref int v = ref table.FindOrAdd(key, out bool found);
            if (found)
            {
                vis[v] = 1;
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
                int o = hand < 0 ? list.Tail : hand;
                while (vis[o] != 0)
                {
                    vis[o] = 0;
                    o = n[o].Prev;
                    if (o < 0) o = list.Tail;
                }
                hand = n[o].Prev;
                list.Remove(n, o);
                i = o;
                v = i;
                long old = n[i].Key;
                n[i].Key = key;
                table.Remove(old);
            }
            vis[i] = 0;
            list.PushHead(n, i);
        }
        _list = list; _used = used; _hand = hand;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into) => _list.AppendKeys(_n, into);
}
