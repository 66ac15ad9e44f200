using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>RANDOM: evicts a frame chosen by a seeded xorshift64* generator (deterministic per seed).</summary>
public sealed class RandomPolicy : IReplayPolicy
{
    private readonly long[] _slot;
    private readonly KeyTable _table;
    private int _used;
    private ulong _state;

    public RandomPolicy(int frames, ulong seed)
    {
        Frames = frames;
        _slot = new long[frames];
        _table = new KeyTable(frames);
        _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
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
        int frames = Frames, used = _used;
        ulong x = _state;
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
                x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
                int s = (int)(((x * 0x2545F4914F6CDD1DUL) >> 32) * (ulong)frames >> 32);
                v = s;
                long old = slot[s];
                slot[s] = key;
                table.Remove(old);
            }
        }
        _used = used; _state = x;
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into)
    {
        for (int i = 0; i < _used; i++) into.Add(_slot[i]);
    }
}
