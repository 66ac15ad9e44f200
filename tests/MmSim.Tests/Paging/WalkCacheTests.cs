using MmSim.Paging;
using MmSim.Translate;

namespace MmSim.Tests.Paging;

/// <summary>
/// <see cref="WalkCache"/>, the simulator's memo of the walk's upper levels: it must never name a table the page
/// tables no longer hold, in particular after tables are freed and their ids given to another address space.
/// </summary>
public class WalkCacheTests
{
    [Fact]
    public void Remembers_within_a_generation_and_forgets_everything_in_the_next()
    {
        var c = new WalkCache();
        Assert.Equal(-1, c.Find(5, 0));
        c.Add(5, 42, 0);
        c.Add(5 + 1024, 43, 0); // same set: replaces span 5
        Assert.Equal(-1, c.Find(5, 0));
        Assert.Equal(43, c.Find(5 + 1024, 0));
        c.Add(6, 44, 0);
        Assert.Equal(-1, c.Find(6, 1)); // a table was freed since
        c.Add(7, 45, 1);                // the first fill of the new generation clears the old entries
        Assert.Equal(-1, c.Find(6, 0));
        Assert.Equal(-1, c.Find(6, 1));
        Assert.Equal(45, c.Find(7, 1));
    }

    /// <summary>
    /// a maps and touches 16 MiB (8 leaf tables), unmaps it (the tables are freed), b then takes the freed table
    /// ids for its own 16 MiB, and a maps 16 MiB again at the same address. Had a's memo survived the free, a's
    /// second touch would find b's tables, map nothing of its own and take no faults.
    /// </summary>
    [Fact]
    public void Tables_freed_and_reused_by_another_process_are_not_found_through_the_memo()
    {
        var m = Sim.Run("""
            seed: 1
            machine: { memory: 256MiB, swap: 0 }
            processes:
              - name: a
                steps:
                  - alloc: { name: h1, size: 16MiB }
                  - touch: { region: h1, write: true }
                  - free: { region: h1 }
                  - sleep: 100ms
                  - alloc: { name: h2, size: 16MiB }
                  - touch: { region: h2, write: true }
              - name: b
                start_at: 50ms
                steps:
                  - alloc: { name: h, size: 16MiB }
                  - touch: { region: h, write: true }
            """);
        var a = m.Tasks.Single(t => t.Name == "a");
        var b = m.Tasks.Single(t => t.Name == "b");
        Assert.Equal(2 * 4096, a.MinFlt);
        Assert.Equal(4096, b.MinFlt);
        Assert.Equal(4096, a.Mm.RssAnon);
        Assert.Equal(4096, b.Mm.RssAnon);

        // Every page of every mapping: the walk through the memo ends at the PTE that the plain software walk of
        // the page tables (mmsim translate's PageWalk, which reads the tables level by level) reaches, and it maps.
        var k = m.Kernel;
        foreach (var t in new[] { a, b })
        {
            foreach (var vma in t.Mm.Vmas)
            {
                for (ulong addr = vma.Start; addr < vma.End; addr += 4096)
                {
                    int table = m.PageTables.Walk(t.Mm, addr, out int slot);
                    var plain = PageWalk.Walk(k, t.Mm, addr);
                    Assert.Null(plain.Fault);
                    Assert.Equal(plain.Steps[^1].TablePfn, k.Tables.FrameOf(table));
                    Assert.Equal(plain.Steps[^1].Index, slot);
                }
            }
        }
        Assert.True(k.Tables.Generation > 0); // a's first tables were freed on the way
    }
}
