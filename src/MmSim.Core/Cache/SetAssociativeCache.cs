namespace MmSim.Cache;

/// <summary>
/// A set-associative cache over flat arrays (no allocation per access). Each line holds its whole block number as
/// tag, a stamp (0 = invalid; otherwise the time of last use for LRU or of fill for FIFO) and a dirty bit.
/// </summary>
public sealed class SetAssociativeCache
{
    private readonly ulong[] _tags;
    private readonly long[] _stamps;
    private readonly bool[] _dirty;
    private readonly int _ways, _blockBits;
    private readonly ulong _sets, _setMask;
    private readonly bool _pow2, _lru, _random, _writeBack, _writeAllocate;
    private long _clock;
    private ulong _rng;

    public CacheConfig Config { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long Evictions { get; private set; }
    public long DirtyEvictions { get; private set; }
    /// <summary>Stores sent to the next level at once (write-through, or no-write-allocate misses).</summary>
    public long WritesThrough { get; private set; }

    public SetAssociativeCache(CacheConfig config)
    {
        Config = config;
        if (config.Sets < 1 || config.Ways < 1 || config.Sets * config.Ways > CacheConfig.MaxLines)
            throw new ArgumentOutOfRangeException(nameof(config), "sets and ways must be at least 1 and not too many");
        long lines = config.Sets * config.Ways;
        _tags = new ulong[lines];
        _stamps = new long[lines];
        _dirty = new bool[lines];
        _ways = config.Ways;
        _blockBits = config.BlockBits;
        _sets = (ulong)config.Sets;
        _pow2 = System.Numerics.BitOperations.IsPow2(_sets);
        _setMask = _sets - 1;
        _lru = config.Replacement == Replacement.Lru;
        _random = config.Replacement == Replacement.Random;
        _writeBack = config.WriteBack;
        _writeAllocate = config.WriteAllocate;
        _rng = config.Seed == 0 ? 0x9E3779B97F4A7C15UL : config.Seed;
    }

    /// <summary>One access (a load, or a store when <paramref name="write"/>) to the byte at <paramref name="address"/>.</summary>
    public AccessResult Access(ulong address, bool write)
    {
        ulong block = _blockBits >= 64 ? 0 : address >> _blockBits;
        ulong set = _pow2 ? block & _setMask : block % _sets;
        int first = (int)set * _ways, end = first + _ways;
        long now = ++_clock;
        // One pass: look for the tag and keep the line with the smallest stamp (an invalid line's 0 is smallest).
        int oldest = first;
        long oldestStamp = long.MaxValue;
        for (int i = first; i < end; i++)
        {
            long st = _stamps[i];
            if (st != 0 && _tags[i] == block)
            {
                Hits++;
                if (_lru) _stamps[i] = now;
                if (write)
                {
                    if (_writeBack) _dirty[i] = true;
                    else WritesThrough++;
                }
                return AccessResult.Hit;
            }
            if (st < oldestStamp) { oldestStamp = st; oldest = i; }
        }
        Misses++;
        if (write && !_writeAllocate) { WritesThrough++; return AccessResult.Miss; }
        var result = AccessResult.Miss;
        int victim = oldest;
        if (oldestStamp != 0)
        {
            if (_random) victim = first + (int)(NextRandom() % (ulong)_ways);
            Evictions++;
            result |= AccessResult.Eviction;
            if (_dirty[victim]) { DirtyEvictions++; result |= AccessResult.DirtyEviction; }
        }
        _tags[victim] = block;
        _stamps[victim] = now;
        _dirty[victim] = write && _writeBack;
        if (write && !_writeBack) WritesThrough++;
        return result;
    }

    private ulong NextRandom()
    {
        // xorshift64*
        _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
        return _rng * 0x2545F4914F6CDD1DUL;
    }
}
