using CsCheck;
using MmSim.Paging;

namespace MmSim.Tests.Paging;

/// <summary>The set-associative TLB (tags compared as vectors, LRU in packed byte ages) against a plain model: a
/// list per set in recency order, the least recently used evicted, an invalidated entry gone.</summary>
public class TlbLruPropertyTests
{
    private sealed class Model(int entries, int ways)
    {
        private readonly List<long>[] _sets = Enumerable.Range(0, entries / ways).Select(_ => new List<long>()).ToArray();

        private List<long> Set(long vpn) => _sets[vpn & (_sets.Length - 1)];

        /// <summary>True on a hit; a miss fills the entry (evicting the LRU one of a full set).</summary>
        public bool Access(long vpn)
        {
            var s = Set(vpn);
            bool hit = s.Remove(vpn);
            if (!hit && s.Count == ways) s.RemoveAt(s.Count - 1);
            s.Insert(0, vpn);
            return hit;
        }

        public void FlushPage(long vpn) => Set(vpn).Remove(vpn);
        public void FlushAll() { foreach (var s in _sets) s.Clear(); }
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 2)]
    [InlineData(64, 4)]
    [InlineData(64, 8)]
    [InlineData(32, 16)]
    [InlineData(8, 8)]
    public void Hits_and_misses_are_those_of_true_LRU(int entries, int ways)
    {
        // Operation: 0..8 access, 9 flush one page, 10 flush all (rare).
        Gen.Select(Gen.Int[0, 10], Gen.Long[0, 3 * entries]).Array[1, 400].Sample(ops =>
        {
            var tlb = new Tlb(entries, ways);
            var model = new Model(entries, ways);
            foreach (var (op, vpn) in ops)
            {
                if (op == 10) { tlb.FlushAll(); model.FlushAll(); continue; }
                if (op == 9) { tlb.FlushPage(vpn); model.FlushPage(vpn); continue; }
                ref var e = ref tlb.Lookup(vpn);
                bool hit = e.Vpn == vpn;
                if (!hit) tlb.Fill(ref e, vpn, (ulong)vpn << 12, 1, (int)vpn);
                else Assert.Equal((ulong)vpn << 12, e.Pte);
                Assert.Equal(model.Access(vpn), hit);
            }
        });
    }

    [Fact]
    public void A_second_level_keeps_its_own_LRU()
    {
        Gen.Select(Gen.Int[0, 9], Gen.Long[0, 200]).Array[1, 400].Sample(ops =>
        {
            var tlb = new Tlb(8, 4, 32, 8);
            var l1 = new Model(8, 4);
            var l2 = new Model(32, 8);
            foreach (var (op, vpn) in ops)
            {
                if (op == 9) { tlb.FlushPage(vpn); l1.FlushPage(vpn); l2.FlushPage(vpn); continue; }
                ref var e = ref tlb.Lookup(vpn);
                bool hit1 = e.Vpn == vpn;
                Assert.Equal(l1.Access(vpn), hit1);
                if (hit1) continue;
                ref var e2 = ref tlb.LookupL2(vpn);
                bool hit2 = e2.Vpn == vpn;
                // As the MMU does: an L2 hit is copied up; a walk fills both levels.
                if (!hit2) tlb.Fill(ref e2, vpn, 0, 0, 0);
                tlb.Fill(ref e, vpn, 0, 0, 0);
                Assert.Equal(l2.Access(vpn), hit2);
            }
        });
    }
}
