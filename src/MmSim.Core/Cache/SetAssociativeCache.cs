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
        ref bool dirty = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_dirty), first);
        // A store's bit as 0/1, so that the bookkeeping below adds it instead of branching on it.
        byte w = Unsafe.As<bool, byte>(ref write);
        int way = Find(ref tags, ref stamps, block);
        if (way >= 0)
        {
            _hits++;
            if (_lru) Unsafe.Add(ref stamps, way) = now;
            if (_writeBack) Unsafe.As<bool, byte>(ref Unsafe.Add(ref dirty, way)) |= w;
            else _writesThrough += w;
            return AccessResult.Hit;
        }
        _misses++;
        if (!_writeAllocate && write) { _writesThrough++; return AccessResult.Miss; }
        int victim = Oldest(ref stamps, out long oldestStamp);
        var result = AccessResult.Miss;
        if (oldestStamp != 0)
        {
            if (_random) victim = (int)(NextRandom() % (ulong)_ways);
            _evictions++;
            byte d = Unsafe.As<bool, byte>(ref Unsafe.Add(ref dirty, victim));
            _dirtyEvictions += d;
            result |= AccessResult.Eviction | (AccessResult)(d << 3); // DirtyEviction = 8
        }
        Unsafe.Add(ref tags, victim) = block;
        Unsafe.Add(ref stamps, victim) = now;
        if (_writeBack) Unsafe.As<bool, byte>(ref Unsafe.Add(ref dirty, victim)) = w;
        else { Unsafe.Add(ref dirty, victim) = false; _writesThrough += w; }
        return result;
    }

    /// <summary>The way holding <paramref name="block"/>, or -1. With vectors, one mask of the matching ways is built
    /// from all the set's tags and then tested once, so where the hit is does not steer a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ref ulong tags, ref long stamps, ulong block)
    {
        if (_simd && block != NoTag)
        {
            // Valid lines have distinct tags and invalid ones hold NoTag, so the lowest match is the hit.
            var key = Vector256.Create(block);
            ulong mask = 0;
            int i = 0;
            for (; i + 4 <= _ways; i += 4)
                mask |= (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref tags, (nuint)i), key).ExtractMostSignificantBits() << i;
            for (; i < _ways; i++)
                mask |= (Unsafe.Add(ref tags, i) == block ? 1UL : 0UL) << i;
            return mask == 0 ? -1 : BitOperations.TrailingZeroCount(mask);
        }
        for (int i = 0; i < _ways; i++)
            if (Unsafe.Add(ref tags, i) == block && Unsafe.Add(ref stamps, i) != 0) return i;
        return -1;
    }

    /// <summary>The first way with the smallest stamp (the first invalid one if any). With vectors: the minimum of
    /// the set's stamps four lanes at a time, then the lowest lane equal to it; otherwise a scan that selects with
    /// arithmetic rather than branches (stamps are below 2^62, so the difference's sign says which is smaller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Oldest(ref long stamps, out long oldest)
    {
        if (_simd && (_ways & 3) == 0)
        {
            var m = Vector256.LoadUnsafe(ref stamps);
            for (int i = 4; i < _ways; i += 4) m = Vector256.Min(m, Vector256.LoadUnsafe(ref stamps, (nuint)i));
            var h = Vector128.Min(m.GetLower(), m.GetUpper());
            long best = Math.Min(h.ToScalar(), h.GetElement(1));
            var key = Vector256.Create(best);
            ulong eq = 0;
            for (int i = 0; i < _ways; i += 4)
                eq |= (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref stamps, (nuint)i), key).ExtractMostSignificantBits() << i;
            oldest = best;
            return BitOperations.TrailingZeroCount(eq);
        }
        long b = Unsafe.Add(ref stamps, 0);
        int at = 0;
        for (int i = 1; i < _ways; i++)
        {
            long diff = Unsafe.Add(ref stamps, i) - b;
            long less = diff >> 63; // all ones when this stamp is smaller
            b += diff & less;
            at ^= (at ^ i) & (int)less;
        }
        oldest = b;
        return at;
    }

    private ulong NextRandom()
    {
        // xorshift64*
        _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
        return _rng * 0x2545F4914F6CDD1DUL;
    }
}
