using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// CLOCK (second chance) with an n-bit reference counter, as libCacheSim's Clock: a new page is inserted with its
/// counter at 0; a hit increments it up to 2^n - 1; the hand decrements non-zero counters as it passes and evicts
/// the first page at 0. A ring of frames with the hand at the oldest page (equivalent to FIFO-reinsertion).
/// </summary>
public sealed class ClockPolicy : IReplayPolicy
{
    private readonly long[] _slot;
    private readonly byte[] _ref;
    private readonly KeyTable _table;
    private readonly int _max;
    private int _used, _hand;

    public ClockPolicy(int frames, int bits)
    {
        if (bits < 1 || bits > 8) throw new ArgumentOutOfRangeException(nameof(bits), "CLOCK counter bits must be 1..8");
        Frames = frames;
        _max = (1 << bits) - 1;
        _slot = new long[frames];
        _ref = new byte[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _slot.Length * 9L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var table = _table;
        var slot = _slot;
        var rf = _ref;
        int frames = Frames, used = _used, hand = _hand, max = _max;
        int pfEnd = keys.Length - KeyTable.PrefetchDistance;
        for (int k = 0; k < keys.Length; k++)
        {
            long key = keys[k];
            if (k < pfEnd) table.Prefetch(keys[k + KeyTable.PrefetchDistance]);
            ref int v = ref table.FindOrAdd(key, out bool found);
            if (found)
            {
                int h = v;
                if (rf[h] < max) rf[h]++;
                continue;
            }
            misses++;
            if (used < frames)
            {
                v = used;
                slot[used] = key;
                rf[used++] = 0;
            }
            else
            {
                while (rf[hand] != 0)
                {
                    rf[hand]--;
                    if (++hand == frames) hand = 0;
                }
                int s = hand;
                if (++hand == frames) hand = 0;
                v = s;
                long old = slot[s];
                slot[s] = key;
                rf[s] = 0;
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
