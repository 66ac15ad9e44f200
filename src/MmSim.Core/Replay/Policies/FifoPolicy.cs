using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>FIFO: evicts the page that has been resident longest. A ring of frames and a hand.</summary>
public sealed class FifoPolicy : IReplayPolicy
{
    private readonly long[] _slot;
    private readonly KeyTable _table;
    private int _used, _hand;

    public FifoPolicy(int frames)
    {
        Frames = frames;
        _slot = new long[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _slot.Length * 8L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var slot = _slot;
        int frames = Frames, used = _used, hand = _hand;
        int pfEnd = keys.Length - KeyTable.PrefetchDistance;
        for (int k = 0; k < keys.Length; k++)
        {
            long key = keys[k];
            if (k < pfEnd) table.Prefetch(keys[k + KeyTable.PrefetchDistance]);
            ref int v = ref table.FindOrAdd(key, out bool found);
            if (found) continue;
            misses++;
            if (used < frames)
            {
                v = used;
                slot[used++] = key;
            }
            else
            {
                int s = hand;
                if (++hand == frames) hand = 0;
                v = s;
                long old = slot[s];
                slot[s] = key;
                table.Remove(old);
            }
        }
        _used = used; _hand = hand;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into)
    {
        for (int i = 0; i < _used; i++) into.Add(_slot[(_hand + i) % _used]);
    }
}
