using CsCheck;
using MmSim.Cache;

namespace MmSim.Tests.Cache;

/// <summary>
/// The optimised <see cref="SetAssociativeCache"/> against a plain model written from the definition (a list of
/// lines per set, LRU by moving to the front, FIFO by fill order): the same result for every access of random
/// geometries, policies and address streams.
/// </summary>
public class CacheReferenceModelTests
{
    private sealed class Reference(long sets, int ways, int blockBits, Replacement policy, bool writeBack, bool writeAllocate)
    {
        private readonly List<(ulong Block, bool Dirty)>[] _sets = Enumerable.Range(0, (int)sets).Select(_ => new List<(ulong, bool)>()).ToArray();

        public AccessResult Access(ulong address, bool write)
        {
            ulong block = blockBits >= 64 ? 0 : address >> blockBits;
            var set = _sets[(int)(block % (ulong)sets)];
            int i = set.FindIndex(l => l.Block == block);
            if (i >= 0)
            {
                var line = set[i];
                if (write && writeBack) line.Dirty = true;
                if (policy == Replacement.Lru) { set.RemoveAt(i); set.Insert(0, line); } else set[i] = line;
                return AccessResult.Hit;
            }
            if (write && !writeAllocate) return AccessResult.Miss;
            var r = AccessResult.Miss;
            if (set.Count == ways)
            {
                // The front is the most recent (LRU) or the newest fill (FIFO): the victim is the last.
                var victim = set[^1];
                set.RemoveAt(set.Count - 1);
                r |= AccessResult.Eviction;
                if (victim.Dirty) r |= AccessResult.DirtyEviction;
            }
            set.Insert(0, (block, write && writeBack));
            return r;
        }
    }

    [Fact]
    public void Lru_and_fifo_match_the_reference_model_access_by_access()
    {
        var gen = Gen.Select(Gen.Int[0, 4], Gen.Int[1, 20], Gen.Int[0, 7], Gen.Int[0, 3], Gen.Bool, Gen.Bool)
            .SelectMany(g => Gen.Select(Gen.ULong[0, 1UL << 12], Gen.Bool).Array[1, 400].Select(a => (g, a)));
        gen.Sample(t =>
        {
            var ((s, e, b, flags, fifo, _), accesses) = t;
            long sets = s == 4 ? 3 : 1L << s; // a non-power-of-two set count too
            bool writeBack = (flags & 1) == 0, writeAllocate = (flags & 2) == 0;
            var policy = fifo ? Replacement.Fifo : Replacement.Lru;
            var fast = new SetAssociativeCache(new CacheConfig { Sets = sets, Ways = e, BlockBits = b, Replacement = policy, WriteBack = writeBack, WriteAllocate = writeAllocate });
            var slow = new Reference(sets, e, b, policy, writeBack, writeAllocate);
            foreach (var (addr, write) in accesses)
                if (fast.Access(addr, write) != slow.Access(addr, write)) return false;
            return true;
        }, iter: 2000);
    }

    [Fact]
    public void Wide_sets_over_16_and_64_ways_match_the_reference_model()
    {
        // Over 16 ways LRU and FIFO keep per-line stamps (AgePolicy) and the lookup scans the set four tags at a
        // time; over 64 ways a one-ulong mask of the set would overflow (an older version lost hits there).
        var gen = Gen.Select(Gen.Int[0, 2], Gen.Int[17, 130], Gen.Int[0, 3], Gen.Bool, Gen.Bool)
            .SelectMany(g => Gen.Select(Gen.ULong[0, 1UL << 9], Gen.Bool).Array[1, 1500].Select(a => (g, a)));
        gen.Sample(t =>
        {
            var ((s, e, flags, fifo, _), accesses) = t;
            long sets = s == 2 ? 3 : 1L << s;
            bool writeBack = (flags & 1) == 0, writeAllocate = (flags & 2) == 0;
            var policy = fifo ? Replacement.Fifo : Replacement.Lru;
            var fast = new SetAssociativeCache(new CacheConfig { Sets = sets, Ways = e, BlockBits = 0, Replacement = policy, WriteBack = writeBack, WriteAllocate = writeAllocate });
            var slow = new Reference(sets, e, 0, policy, writeBack, writeAllocate);
            foreach (var (addr, write) in accesses)
                if (fast.Access(addr, write) != slow.Access(addr, write)) return false;
            return true;
        }, iter: 300);
    }

    [Fact]
    public void The_set_of_a_block_is_the_block_modulo_the_set_count()
    {
        // SetIndex: a mask for powers of two, odd × 2^k by a multiply (fastmod) below 2^32 after the shift, a division above.
        var gen = Gen.Select(Gen.Int[1, 1 << 20], Gen.Int[0, 6], Gen.ULong, Gen.Int[0, 63]);
        gen.Sample((odd, k, x, bits) =>
        {
            long sets = (long)odd << k;
            ulong block = bits == 63 ? x : x >> bits; // small and large block numbers
            return new SetIndex(sets).Of(block) == (int)(block % (ulong)sets);
        }, iter: 20_000);
        var l3 = new SetIndex(49_152); // the default L3: 3 × 2^14 sets
        Assert.Equal(7, l3.Of(49_152 * 5 + 7));
        Assert.Equal(16_383, l3.Of(ulong.MaxValue)); // 2^64 ≡ 2^14 (mod 3 × 2^14)
    }

    [Theory]
    [InlineData(2)]  // the scalar lookup
    [InlineData(4)]  // the vector lookup
    public void The_all_ones_address_with_b0_is_not_mistaken_for_an_invalid_line(int ways)
    {
        // Invalid lines hold the tag of block 2^64 - 1; that block must still miss first, then hit.
        var c = new SetAssociativeCache(new CacheConfig { Sets = 1, Ways = ways, BlockBits = 0 });
        Assert.Equal(AccessResult.Miss, c.Access(ulong.MaxValue, false));
        Assert.Equal(AccessResult.Hit, c.Access(ulong.MaxValue, true));
        Assert.Equal(AccessResult.Miss, c.Access(0, false));
        Assert.Equal(AccessResult.Hit, c.Access(ulong.MaxValue, false));
        Assert.Equal((2L, 2L, 0L), (c.Hits, c.Misses, c.Evictions));
    }
}
