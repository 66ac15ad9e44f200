using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MmSim.Cache;

/// <summary>
/// A set-associative cache over flat arrays (no allocation per access). Each line holds its whole block number as
/// tag, a stamp (0 = invalid; otherwise the time of last use for LRU or of fill for FIFO) and a dirty bit. The lines
/// of a set are contiguous, so a lookup compares the set's tags four at a time (a 256-bit vector compare), and a
/// miss picks the victim as the line with the smallest stamp (an invalid line's 0 is smallest) with no data-dependent
/// branch. Power-of-two set counts index with a mask, others with a modulo.
/// </summary>
public sealed class SetAssociativeCache
{
    /// <summary>The tag of an invalid line: a block number only an address of all ones with b = 0 has (the stamp
    /// decides then).</summary>
    private const ulong NoTag = ulong.MaxValue;

    private readonly ulong[] _tags;
    private readonly long[] _stamps;
    private readonly bool[] _dirty;
    private readonly int _ways, _shift;
    private readonly ulong _blockMask;
    private readonly ulong _sets, _setMask;
    private readonly bool _pow2, _lru, _random, _writeBack, _writeAllocate, _simd;
    private long _clock;
    private ulong _rng;
    private long _hits, _misses, _evictions, _dirtyEvictions, _writesThrough;

    public CacheConfig Config { get; }
    public long Hits => _hits;
    public long Misses => _misses;
    public long Evictions => _evictions;
    public long DirtyEvictions => _dirtyEvictions;
    /// <summary>Stores sent to the next level at once (write-through, or no-write-allocate misses).</summary>
    public long WritesThrough => _writesThrough;

    public SetAssociativeCache(CacheConfig config)
    {
        Config = config;
        if (config.Sets < 1 || config.Ways < 1 || config.Sets * config.Ways > CacheConfig.MaxLines)
            throw new ArgumentOutOfRangeException(nameof(config), "sets and ways must be at least 1 and not too many");
        long lines = config.Sets * config.Ways;
        _tags = new ulong[lines];
        Array.Fill(_tags, NoTag);
        _stamps = new long[lines];
        _dirty = new bool[lines];
        _ways = config.Ways;
        // b = 64 (one block): shift by 63 and mask to 0, so the block number needs no branch.
        _shift = Math.Min(config.BlockBits, 63);
        _blockMask = config.BlockBits >= 64 ? 0 : ulong.MaxValue;
        _sets = (ulong)config.Sets;
        _pow2 = BitOperations.IsPow2(_sets);
        _setMask = _sets - 1;
        _lru = config.Replacement == Replacement.Lru;
        _random = config.Replacement == Replacement.Random;
        _writeBack = config.WriteBack;
        _writeAllocate = config.WriteAllocate;
        _simd = Vector256.IsHardwareAccelerated && _ways >= 4;
        _rng = config.Seed == 0 ? 0x9E3779B97F4A7C15UL : config.Seed;
    }

    /// <summary>One access (a load, or a store when <paramref name="write"/>) to the byte at <paramref name="address"/>.</summary>
    public AccessResult Access(ulong address, bool write)
    {
        ulong block = (address >> _shift) & _blockMask;
        ulong set = _pow2 ? block & _setMask : block % _sets;
        int first = (int)set * _ways;
        long now = ++_clock;
        ref ulong tags = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), first);
        ref long stamps = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stamps), first);
        int way = Find(ref tags, ref stamps, block);
        if (way >= 0)
        {
            _hits++;
            if (_lru) Unsafe.Add(ref stamps, way) = now;
            if (write)
            {
                if (_writeBack) _dirty[first + way] = true;
                else _writesThrough++;
            }
            return AccessResult.Hit;
        }
        _misses++;
        if (write && !_writeAllocate) { _writesThrough++; return AccessResult.Miss; }
        int victim = Oldest(ref stamps, out long oldestStamp);
        var result = AccessResult.Miss;
        if (oldestStamp != 0)
        {
            if (_random) victim = (int)(NextRandom() % (ulong)_ways);
            _evictions++;
            result |= AccessResult.Eviction;
            if (_dirty[first + victim]) { _dirtyEvictions++; result |= AccessResult.DirtyEviction; }
        }
        Unsafe.Add(ref tags, victim) = block;
        Unsafe.Add(ref stamps, victim) = now;
        _dirty[first + victim] = write && _writeBack;
        if (write && !_writeBack) _writesThrough++;
        return result;
    }

    /// <summary>The way holding <paramref name="block"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ref ulong tags, ref long stamps, ulong block)
    {
        int i = 0;
        if (_simd)
        {
            var key = Vector256.Create(block);
            for (; i + 4 <= _ways; i += 4)
            {
                uint m = Vector256.Equals(Vector256.LoadUnsafe(ref tags, (nuint)i), key).ExtractMostSignificantBits();
                while (m != 0)
                {
                    int j = i + BitOperations.TrailingZeroCount(m);
                    if (Unsafe.Add(ref stamps, j) != 0) return j;
                    m &= m - 1;
                }
            }
        }
        for (; i < _ways; i++)
            if (Unsafe.Add(ref tags, i) == block && Unsafe.Add(ref stamps, i) != 0) return i;
        return -1;
    }

    /// <summary>The way with the smallest stamp (the first invalid one if any); the comparison selects, it does not
    /// branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Oldest(ref long stamps, out long oldest)
    {
        long best = Unsafe.Add(ref stamps, 0);
        int at = 0;
        for (int i = 1; i < _ways; i++)
        {
            long st = Unsafe.Add(ref stamps, i);
            bool less = st < best;
            best = less ? st : best;
            at = less ? i : at;
        }
        oldest = best;
        return at;
    }

    private ulong NextRandom()
    {
        // xorshift64*
        _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
        return _rng * 0x2545F4914F6CDD1DUL;
    }
}
