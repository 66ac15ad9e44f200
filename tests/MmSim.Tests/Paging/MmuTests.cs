using CsCheck;
using MmSim.Machine;
using MmSim.Paging;

namespace MmSim.Tests.Paging;

/// <summary>
/// <see cref="Mmu.Access"/> (the TLB lookup and fill by index, the walk over the flat page-table array) against a
/// plain model: true-LRU TLB levels, and the page table read directly for what the access may do.
/// </summary>
public class MmuTests
{
    /// <summary>One TLB level: a list per set in recency order.</summary>
    private sealed class Level(int entries, int ways)
    {
        private readonly List<long>[] _sets = Enumerable.Range(0, entries / ways).Select(_ => new List<long>()).ToArray();
        private List<long> Set(long vpn) => _sets[vpn & (_sets.Length - 1)];

        /// <summary>True on a hit, which becomes the most recently used.</summary>
        public bool Lookup(long vpn)
        {
            var s = Set(vpn);
            if (!s.Remove(vpn)) return false;
            s.Insert(0, vpn);
            return true;
        }

        public void Insert(long vpn)
        {
            var s = Set(vpn);
            if (s.Count == ways) s.RemoveAt(s.Count - 1);
            s.Insert(0, vpn);
        }

        public void Remove(long vpn) => Set(vpn).Remove(vpn);
    }

    private const int HeapPages = 64, RoPages = 8;

    [Theory]
    [InlineData(16, 1, 0, 1)]
    [InlineData(16, 4, 0, 1)]
    [InlineData(64, 4, 0, 1)]
    [InlineData(16, 8, 0, 1)]
    [InlineData(8, 4, 32, 8)]
    public void Access_returns_counts_and_sets_bits_as_the_model(int entries, int ways, int l2Entries, int l2Ways)
    {
        string l2 = l2Entries > 0 ? $", tlb_l2_entries: {l2Entries}, tlb_l2_ways: {l2Ways}" : "";
        // heap: written (present, writable, NX); ro: read (the shared zero page, read-only); a gap of unmapped
        // pages between them is not translatable.
        var m = Sim.Run($$"""
            seed: 1
            machine: { memory: 64MiB, swap: 0, tlb_entries: {{entries}}, tlb_ways: {{ways}}{{l2}} }
            processes:
              - name: holder
                steps:
                  - alloc: { name: heap, size: {{HeapPages * 4}}KiB, prot: rw }
                  - touch: { region: heap, write: true }
                  - alloc: { name: ro, size: {{RoPages * 4}}KiB, prot: r }
                  - touch: { region: ro }
            """);
        var mm = m.Tasks[0].Mm;
        var vmas = mm.Vmas;
        Assert.Equal(2, vmas.Count);
        long lo = (long)(vmas.Min(v => v.Start) >> 12), hi = (long)(vmas.Max(v => v.End) >> 12) + 4;
        var k = m.Kernel;
        var pt = m.PageTables;

        Gen.Select(Gen.Int[0, 20], Gen.Long[lo, hi], Gen.Int[1, 1000]).Array[1, 300].Sample(ops =>
        {
            var tlb = mm.Tlb;
            tlb.FlushAll();
            var l1 = new Level(entries, ways);
            var l2m = l2Entries > 0 ? new Level(l2Entries, l2Ways) : null;
            long hits = tlb.Hits, misses = tlb.Misses;
            foreach (var (op, vpn, content) in ops)
            {
                if (op == 20) { tlb.FlushPage(vpn); l1.Remove(vpn); l2m?.Remove(vpn); continue; }
                var kind = op < 12 ? AccessKind.Read : op < 18 ? AccessKind.Write : AccessKind.Exec;
                ulong address = ((ulong)vpn << 12) | (uint)(op * 8);
                int table = pt.Walk(mm, address, out int slot);
                ulong before = table < 0 ? 0 : k.Tables[table][slot];
                bool fault = (before & Pte.Present) == 0
                             || (kind == AccessKind.Write && (before & Pte.Write) == 0)
                             || (kind == AccessKind.Exec && (before & Pte.NoExec) != 0);

                int expected;
                if (l1.Lookup(vpn)) { expected = fault ? Mmu.Fault : Mmu.TlbHit; if (!fault) hits++; }
                else
                {
                    misses++;
                    if (l2m is not null && l2m.Lookup(vpn)) { l1.Insert(vpn); expected = fault ? Mmu.Fault : Mmu.TlbHit; }
                    else if (fault) expected = Mmu.Fault;
                    else { l1.Insert(vpn); l2m?.Insert(vpn); expected = Mmu.Walked; }
                }

                Assert.Equal(expected, m.Mmu.Access(mm, address, kind, content));
                if (fault) { Assert.Equal(before, table < 0 ? 0 : k.Tables[table][slot]); continue; }
                ulong after = k.Tables[table][slot];
                ulong bits = Pte.Accessed | (kind == AccessKind.Write ? Pte.Dirty : 0);
                Assert.Equal(before | bits, after);
                Assert.Equal(after, m.Mmu.LastPte);
                if (kind == AccessKind.Write) Assert.Equal(content, k.Frames[Pte.Pfn(after)].Content);
            }
            Assert.Equal(hits, tlb.Hits);
            Assert.Equal(misses, tlb.Misses);
        }, threads: 1); // one machine: the samples run one after another
    }

    [Fact]
    public void The_pool_keeps_every_table_when_it_grows_and_clears_a_reused_id()
    {
        var pool = new PageTablePool(512, 21);
        for (int id = 0; id < 200; id++)
        {
            Assert.Equal(id, pool.Add(1000 + id));
            pool[id][id % 512] = (ulong)id + 1;
            pool.Entry(id, 511) = 7;
        }
        for (int id = 0; id < 200; id++)
        {
            Assert.Equal((ulong)id + 1, pool[id][id % 512]);
            Assert.Equal(7UL, pool[id][511]);
            Assert.Equal(1000 + id, pool.FrameOf(id));
        }
        pool.Remove(70);
        Assert.Equal(70, pool.Add(5));
        Assert.Equal(-1, pool[70].IndexOfAnyExcept(0UL)); // all zero
        Assert.Equal(200, pool.Count);
    }

    [Fact]
    public void Fork_while_the_pool_grows_write_protects_the_parent()
    {
        // 160 MiB: 80 PTE tables, so the pool (64 tables at first) grows while the parent faults, and again while
        // fork copies the page range into the child's new tables. The parent's PTEs are write-protected after
        // the child's tables were added: each parent write after the fork must fault (copy or reuse).
        var m = Sim.Run("""
            seed: 1
            machine: { memory: 512MiB, swap: 0 }
            processes:
              - name: parent
                steps:
                  - alloc: { name: h, size: 160MiB }
                  - touch: { region: h, write: true }
                  - fork:
                      name: child
                      steps:
                        - touch: { region: h, offset: 0, length: 1MiB, write: true }
                  - sleep: 10ms
                  - touch: { region: h, write: true }
            """);
        var r = Reports.RunReport.Build(m);
        Assert.Equal(40960 + 40960, r.Proc("parent").MinFlt);
        Assert.Equal(256, r.Proc("child").MinFlt);
        Assert.True(m.Kernel.Tables.Count > 128);
    }
}
