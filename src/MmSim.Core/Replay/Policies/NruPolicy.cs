using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// NRU (not recently used): every reference sets the page's referenced bit; every <c>period</c> references (a clock
/// tick) all referenced bits are cleared; a fault evicts a page from the lowest non-empty class, here the pages
/// whose bit is clear, chosen by scanning from a seeded random frame (all referenced: the random frame itself).
/// Traces carry no writes, so the modified bit (classes 1 and 3) is not modelled.
/// </summary>
public sealed class NruPolicy : IReplayPolicy
{
    private readonly long[] _slot;
    private readonly int[] _refEpoch; // the bit is set iff _refEpoch[f] == _epoch (clearing all = _epoch++)
    private readonly KeyTable _table;
    private readonly int _period;
    private int _used, _epoch = 1, _tick;
    private ulong _rng;

    public NruPolicy(int frames, int period, ulong seed)
    {
        Frames = frames;
        _period = period;
        _slot = new long[frames];
        _refEpoch = new int[frames];
        _table = new KeyTable(frames);
        _rng = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => Frames * 12L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        int frames = Frames;
        foreach (long key in keys)
        {
            if (++_tick >= _period) { _tick = 0; _epoch++; }
            int f = _table.Find(key);
            if (f >= 0)
            {
                _refEpoch[f] = _epoch;
                continue;
            }
            misses++;
            if (_used < frames) f = _used++;
            else
            {
                _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
                int start = (int)(((_rng * 0x2545F4914F6CDD1DUL) >> 32) * (ulong)frames >> 32);
                f = start;
                for (int k = 0; k < frames; k++)
                {
                    int s = start + k < frames ? start + k : start + k - frames;
                    if (_refEpoch[s] != _epoch) { f = s; break; }
                }
                _table.Remove(_slot[f]);
            }
            _slot[f] = key;
            _refEpoch[f] = _epoch;
            _table.Insert(key, f);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    public void CopyResident(List<long> into)
    {
        for (int i = 0; i < _used; i++) into.Add(_slot[i]);
    }
}
