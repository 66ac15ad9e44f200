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

    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var n = _n;
        var vis = _visited;
        var list = _list;
        int frames = Frames, used = _used, hand = _hand;
        foreach (long key in keys)
        {
            int i = table.Find(key);
            if (i >= 0)
            {
                vis[i] = 1;
                continue;
            }
            misses++;
            if (used < frames) i = used++;
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
                table.Remove(n[o].Key);
                i = o;
            }
            n[i].Key = key;
            vis[i] = 0;
            list.PushHead(n, i);
            table.Insert(key, i);
        }
        _list = list; _used = used; _hand = hand;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into) => _list.AppendKeys(_n, into);
}
