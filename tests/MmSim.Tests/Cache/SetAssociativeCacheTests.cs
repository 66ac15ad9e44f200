using MmSim.Cache;

namespace MmSim.Tests.Cache;

public class SetAssociativeCacheTests
{
    private static SetAssociativeCache OneSet(int ways, Replacement r = Replacement.Lru) =>
        new(new CacheConfig { Sets = 1, Ways = ways, BlockBits = 4, Replacement = r });

    [Fact]
    public void Lru_evicts_the_least_recently_used_fifo_the_oldest_fill()
    {
        var lru = OneSet(2);
        var fifo = OneSet(2, Replacement.Fifo);
        foreach (var c in new[] { lru, fifo })
        {
            c.Access(0x00, false); c.Access(0x10, false); c.Access(0x00, false); // 0 is now the most recent
            c.Access(0x20, false);                                              // LRU evicts 0x10, FIFO evicts 0x00
        }
        Assert.Equal(AccessResult.Hit, lru.Access(0x00, false));
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction, fifo.Access(0x00, false));
    }

    [Fact]
    public void Write_back_counts_dirty_evictions()
    {
        var c = OneSet(1);
        Assert.Equal(AccessResult.Miss, c.Access(0x00, true));
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction | AccessResult.DirtyEviction, c.Access(0x10, false));
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction, c.Access(0x20, false));
        Assert.Equal((1, 2), (c.DirtyEvictions, (int)c.Evictions));
    }

    [Fact]
    public void Write_through_never_dirties_and_no_write_allocate_skips_the_fill()
    {
        var wt = new SetAssociativeCache(new CacheConfig { Ways = 1, BlockBits = 4, WriteBack = false });
        wt.Access(0x00, true); wt.Access(0x00, true);
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction, wt.Access(0x10, false));
        Assert.Equal(2, wt.WritesThrough);

        var nwa = new SetAssociativeCache(new CacheConfig { Ways = 1, BlockBits = 4, WriteAllocate = false });
        Assert.Equal(AccessResult.Miss, nwa.Access(0x00, true));
        Assert.Equal(AccessResult.Miss, nwa.Access(0x00, false)); // the store did not bring the line in
        Assert.Equal(AccessResult.Hit, nwa.Access(0x00, true));
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction | AccessResult.DirtyEviction, nwa.Access(0x10, false));
    }

    [Fact]
    public void Random_is_reproducible_with_its_seed()
    {
        long Misses(ulong seed)
        {
            var c = new SetAssociativeCache(new CacheConfig { Sets = 4, Ways = 4, BlockBits = 6, Replacement = Replacement.Random, Seed = seed });
            var rng = new Random(7);
            for (int i = 0; i < 10_000; i++) c.Access((ulong)rng.Next(0, 64 * 40), false);
            return c.Misses;
        }
        Assert.Equal(Misses(3), Misses(3));
    }

    [Fact]
    public void Sets_need_not_be_a_power_of_two_and_b64_is_one_block()
    {
        var c = new SetAssociativeCache(CacheConfig.FromSize(3 * 64, 1, 64, "test")); // 3 sets
        c.Access(0 * 64, false); c.Access(1 * 64, false); c.Access(2 * 64, false);
        Assert.Equal(AccessResult.Hit, c.Access(1 * 64 + 5, false));
        Assert.Equal(AccessResult.Miss | AccessResult.Eviction, c.Access(3 * 64, false)); // block 3 -> set 0

        var whole = new SetAssociativeCache(CacheConfig.FromLab(0, 1, 64));
        whole.Access(0, false);
        Assert.Equal(AccessResult.Hit, whole.Access(ulong.MaxValue, false));
    }

    [Fact]
    public void Accesses_do_not_allocate()
    {
        var c = new SetAssociativeCache(CacheConfig.FromLab(6, 8, 6));
        c.Access(0, false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong a = 0; a < 100_000; a += 24) c.Access(a * 7, (a & 1) == 0);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
