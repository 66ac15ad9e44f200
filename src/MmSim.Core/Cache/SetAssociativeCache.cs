using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MmSim.Cache;

/// <summary>
/// A set-associative cache over flat arrays (no allocation per access). Each line holds its whole block number as
/// tag and a dirty bit; a set's lines are contiguous (padded to a multiple of four), so a lookup compares all its
/// tags with 256-bit vector compares into one bit mask, and where the hit is does not steer a branch. Lines fill
/// in way order and are never invalidated; unfilled ways hold a tag no other block has, and the per-set count of
/// filled ways settles the one block that shares it (and tells a fill from an eviction). Replacement state lives in the policy (<see cref="LruPolicy"/>,
/// <see cref="FifoPolicy"/>, <see cref="RandomPolicy"/>, <see cref="AgePolicy"/> for sets over 16 ways); the
/// access path is generic over the policy struct, so the policy's calls are inlined.
/// </summary>
public sealed class SetAssociativeCache
{
    private enum Kind : byte { Lru, Fifo, Random, Age }

    /// <summary>The tag of unfilled ways and padding, so that a lookup of any other block needs no valid mask;
    /// block 2^64 - 1 (the all-ones address with b = 0) is looked up with the fill count's mask instead.</summary>
    private const ulong NoTag = ulong.MaxValue;

    private readonly ulong[] _tags;
    private readonly bool[] _dirty;
    /// <summary>Per set: its valid lines are ways 0 .. filled - 1.</summary>
    private readonly int[] _filled;
    private readonly int _ways, _stride, _shift;
    private readonly ulong _blockMask;
    private readonly SetIndex _index;
    private readonly bool _writeBack, _writeAllocate, _simd, _narrow;
    private readonly Kind _kind;
    private LruPolicy _lru;
    private FifoPolicy _fifo;
    private RandomPolicy _random;
    private AgePolicy _age;
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
        _ways = config.Ways;
        _stride = (_ways + 3) & ~3;
        long lines = config.Sets * _stride;
        _tags = new ulong[lines];
        Array.Fill(_tags, NoTag);
        _dirty = new bool[lines];
        _filled = new int[config.Sets];
        // b = 64 (one block): shift by 63 and mask to 0, so the block number needs no branch.
        _shift = Math.Min(config.BlockBits, 63);
        _blockMask = config.BlockBits >= 64 ? 0 : ulong.MaxValue;
        _index = new SetIndex(config.Sets);
        _writeBack = config.WriteBack;
        _writeAllocate = config.WriteAllocate;
        _simd = Vector256.IsHardwareAccelerated;
        _narrow = _ways <= RecencyOrder.MaxWays;
        _kind = config.Replacement switch
        {
            Replacement.Random => Kind.Random,
            Replacement.Lru when _narrow => Kind.Lru,
            Replacement.Fifo when _narrow => Kind.Fifo,
            _ => Kind.Age,
        };
        switch (_kind)
        {
            case Kind.Lru: _lru = new LruPolicy(config.Sets, _ways); break;
            case Kind.Fifo: _fifo = new FifoPolicy(config.Sets, _ways); break;
            case Kind.Random: _random = new RandomPolicy(_ways, config.Seed); break;
            default: _age = new AgePolicy(config.Sets, _ways, _stride, config.Replacement == Replacement.Lru); break;
        }
    }

    /// <summary>One access (a load, or a store when <paramref name="write"/>) to the byte at <paramref name="address"/>.</summary>
    /// <remarks>LRU (every hierarchy level, Cache Lab's default) is inlined into the caller: on a program's
    /// stream of L1 hits a call per access costs as much as the lookup. The other policies take one call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AccessResult Access(ulong address, bool write) =>
        _kind == Kind.Lru ? Access(ref _lru, address, write) : AccessOther(address, write);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private AccessResult AccessOther(ulong address, bool write) => _kind switch
    {
        Kind.Fifo => Access(ref _fifo, address, write),
        Kind.Random => Access(ref _random, address, write),
        _ => Access(ref _age, address, write),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private AccessResult Access<TPolicy>(ref TPolicy policy, ulong address, bool write) where TPolicy : struct, IReplacementPolicy
    {
        ulong block = (address >> _shift) & _blockMask;
        int set = _index.Of(block);
        nint first = (nint)set * _stride;
        ref ulong tags = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), first);
        ref byte dirty = ref Unsafe.As<bool, byte>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_dirty), first));
        // A store's bit as 0/1, so that the bookkeeping below adds it instead of branching on it.
        byte w = Unsafe.As<bool, byte>(ref write);
        int way = Find(ref tags, block, set);
        if (way >= 0)
        {
            _hits++;
            policy.Hit(set, way);
            if (_writeBack) Unsafe.Add(ref dirty, way) |= w;
            else _writesThrough += w;
            return AccessResult.Hit;
        }
        _misses++;
        if (!_writeAllocate && write) { _writesThrough++; return AccessResult.Miss; }
        ref int filled = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_filled), set);
        int n = filled;
        int victim = policy.Replace(set, n);
        var result = AccessResult.Miss;
        if (n == _ways)
        {
            _evictions++;
            byte d = Unsafe.Add(ref dirty, victim);
            _dirtyEvictions += d;
            result |= AccessResult.Eviction | (AccessResult)(d << 3); // DirtyEviction = 8
        }
        else filled = n + 1;
        Unsafe.Add(ref tags, victim) = block;
        if (_writeBack) Unsafe.Add(ref dirty, victim) = w;
        else { Unsafe.Add(ref dirty, victim) = 0; _writesThrough += w; }
        return result;
    }

    /// <summary>The valid way holding <paramref name="block"/>, or -1. Up to 16 ways: one mask of the matching ways
    /// from all the set's tags, tested once; wider sets are scanned four tags at a time up to the first match.
    /// Unfilled ways and padding hold <see cref="NoTag"/>, so only a lookup of that block reads the fill count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ref ulong tags, ulong block, int set)
    {
        if (block == NoTag) return FindNoTag(ref tags, Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_filled), set));
        if (_simd)
        {
            var key = Vector256.Create(block);
            if (_narrow)
            {
                ulong mask = 0;
                for (int i = 0; i < _stride; i += 4)
                    mask |= (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref tags, (nuint)i), key).ExtractMostSignificantBits() << i;
                return mask == 0 ? -1 : BitOperations.TrailingZeroCount(mask);
            }
            for (int i = 0; i < _stride; i += 4)
            {
                uint m = Vector256.Equals(Vector256.LoadUnsafe(ref tags, (nuint)i), key).ExtractMostSignificantBits();
                if (m != 0) return i + BitOperations.TrailingZeroCount(m);
            }
            return -1;
        }
        for (int i = 0; i < _ways; i++)
            if (Unsafe.Add(ref tags, i) == block) return i;
        return -1;
    }

    /// <summary>The lookup of block 2^64 - 1, whose tag equals <see cref="NoTag"/>: the first of the filled ways.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FindNoTag(ref ulong tags, int filled)
    {
        for (int i = 0; i < filled; i++)
            if (Unsafe.Add(ref tags, i) == NoTag) return i;
        return -1;
    }
}
