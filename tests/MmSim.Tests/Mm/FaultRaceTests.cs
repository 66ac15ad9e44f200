using MmSim.Machine;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Reports;

namespace MmSim.Tests.Mm;

/// <summary>
/// A page fault that allocates can run reclaim and the OOM killer in the middle of its work. These scenarios were
/// found by <see cref="Machine.RandomScenarioTests"/> (minimised by hand): each ran into a fault that used a page
/// or a page table that the allocation had just freed. Every run also checks each read of anonymous memory against
/// what was written (<see cref="MachineOptions.CheckContents"/>) and the machine's invariants.
/// </summary>
public class FaultRaceTests
{
    private static SimMachine Run(string yaml) => Sim.Run(yaml, new MachineOptions { CheckContents = true });

    [Fact]
    public void A_page_found_in_the_page_cache_is_not_freed_by_the_read_ahead_its_fault_starts()
    {
        // p1 reads a shared mapping of /data/a while the forked children of p0 and p2 keep memory short: a fault
        // that finds its page cached reaches the PG_readahead marker and reads the next window, whose allocations
        // reclaim directly. filemap_fault holds a reference to its page across that read-ahead (and pages under
        // read are locked), so reclaim keeps them; the model used to free the faulting page and map it anyway,
        // and the frame later became another process's anonymous page.
        var m = Run("""
            seed: 941
            machine: { memory: 96MiB, swap: 256MiB, transparent_hugepage: always }
            vm: { swappiness: 0, dirty_background_ratio: 2 }
            files:
              - { path: /data/a, size: 16MiB }
            processes:
              - name: p0
                steps:
                  - alloc: { name: r0, size: 15MiB }
                  - touch: { region: r0, write: true }
                  - fork:
                      steps:
                        - touch: { region: r0, write: true, stride: 16KiB }
                        - access: { region: r0, pattern: random, count: 15092, write_ratio: 0.5 }
                  - fork:
                      steps:
                        - touch: { region: r0, write: true, stride: 4KiB }
                        - access: { region: r0, pattern: random, count: 10479, write_ratio: 0.5 }
              - name: p1
                steps:
                  - map_file: { name: r5, path: /data/a, prot: rw, shared: true }
                  - touch: { region: r5, write: false }
              - name: p2
                oom_score_adj: 500
                steps:
                  - alloc: { name: r0, size: 32MiB }
                  - fork:
                      steps:
                        - touch: { region: r0, write: true, stride: 8KiB }
            """);
        var r = RunReport.Build(m);
        Assert.True(r.Vmstat["allocstall_movable"] > 0, "direct reclaim ran");
        Assert.True(r.Vmstat["workingset_refault_file"] > 0, "reclaim took file pages p1 then read again");
        // Every page p1 maps at offset i of its mapping is /data/a's page i.
        var p1 = m.Tasks.Single(t => t.Name == "p1");
        var vma = p1.Mm.FindByName("r5")!;
        var file = m.Kernel.FilesByPath["/data/a"];
        int mapped = 0;
        for (ulong a = vma.Start; a < vma.End; a += 4096)
        {
            int table = m.PageTables.Walk(p1.Mm, a, out int slot);
            if (table < 0) continue;
            ulong pte = m.Kernel.Tables[table][slot];
            if ((pte & Pte.Present) == 0) continue;
            var f = m.Kernel.Frames[(int)Pte.Pfn(pte)];
            Assert.True((f.Flags & (uint)FrameFlags.File) != 0, $"0x{a:x} maps frame {Pte.Pfn(pte)}, not a page-cache page");
            Assert.Equal((file.Id, (long)((a - vma.Start) / 4096)), (f.Owner, f.Index));
            mapped++;
        }
        Assert.True(mapped > 0);
    }

    [Fact]
    public void An_oom_kill_of_the_faulting_process_inside_its_copy_on_write_leaves_the_shared_page_to_its_sibling()
    {
        // p0 writes pages it shares with its forked child; a copy's allocation finds no memory (no swap,
        // overcommit 1) and the OOM killer picks p0 itself. wp_page_copy allocates before it unmaps the old page,
        // so the failed fault leaves the mapping as it was and the exit unmaps it once; the model unmapped first,
        // and the exit then dropped the shared page's mapcount a second time, freeing it under the child.
        var m = Run("""
            seed: 337
            machine: { memory: 128MiB, swap: 0, transparent_hugepage: always, tlb_entries: 16 }
            vm: { overcommit_memory: 1, page_cluster: 0 }
            processes:
              - name: p0
                oom_score_adj: 500
                steps:
                  - alloc: { name: r0, size: 50MiB }
                  - access: { region: r0, pattern: random, count: 36746, write_ratio: 0.4 }
                  - fork:
                      steps:
                        - touch: { region: r0, write: true, stride: 4KiB }
                  - access: { region: r0, pattern: random, count: 24275, write_ratio: 1.0 }
              - name: p1
                steps:
                  - alloc: { name: r3, size: 48MiB }
                  - access: { region: r3, pattern: zipf, count: 28119, write_ratio: 1.0 }
            """);
        var r = RunReport.Build(m);
        Assert.Equal(1, r.Vmstat["oom_kill"]);
        Assert.Equal(("killed", "killed by the OOM killer"), (r.Processes[0].State, r.Processes[0].Reason));
        Assert.Equal((1002, "running"), (r.Processes[2].Pid, r.Processes[2].State)); // the child
        Assert.Equal(12800, r.Processes[2].MinFlt);                                   // it wrote all 50 MiB
        Assert.Equal(12800 * 4, r.Processes[2].RssAnon);
    }

    [Fact]
    public void Pages_a_read_ahead_adds_are_not_reclaimed_before_their_read_is_submitted()
    {
        // read(2) of /data/b while memory is short: each page the read-ahead adds to the page cache is locked
        // (filemap_add_folio) until its read completes, so the allocation of the next page of the window cannot
        // reclaim it. The model submitted the read only after the whole window was allocated, and reclaim could
        // free the first pages in between: the read then found its page gone (an index of -1).
        var m = Run("""
            seed: 727
            machine: { memory: 64MiB, swap: 256MiB, tlb_entries: 16 }
            vm: { overcommit_memory: 1 }
            files:
              - { path: /data/a, size: 16MiB }
              - { path: /data/b, size: 8MiB }
            processes:
              - name: p0
                steps:
                  - alloc: { name: r0, size: 36MiB }
                  - alloc: { name: r1, size: 2MiB }
                  - fork:
                      steps:
                        - touch: { region: r0, write: true, stride: 16KiB }
                        - access: { region: r0, pattern: random, count: 8582, write_ratio: 0.5 }
                  - read_file: { path: /data/b, offset: 1MiB, size: 2MiB }
                  - touch: { region: r1, write: true }
                  - alloc: { name: r5, size: 27MiB }
              - name: p1
                start_at: 42ms
                steps:
                  - alloc: { name: r0, size: 6MiB }
                  - write_file: { path: /data/a, offset: 2MiB, size: 4MiB }
                  - read_file: { path: /data/b, offset: 0MiB, size: 3MiB }
                  - free: { region: r0 }
                  - alloc: { name: r4, size: 1MiB }
              - name: p2
                steps:
                  - alloc: { name: r0, size: 45MiB }
                  - alloc: { name: r2, size: 10MiB }
                  - touch: { region: r0, write: false }
            """);
        var r = RunReport.Build(m);
        Assert.True(r.Vmstat["allocstall_movable"] > 0, "direct reclaim ran");
        Assert.All(r.Processes, p => Assert.Equal("running", p.State));
        Assert.Equal(0, r.Vmstat["oom_kill"]);
    }

    [Fact]
    public void Fork_reads_each_parent_entry_after_allocating_the_childs_table()
    {
        // p0 forks twice inside a 9 MiB memory cgroup: each page table the child needs is charged there, and the
        // charge reclaims from the cgroup, swapping out p0's own pages. copy_pte_range allocates the child's table
        // and only then reads the parent's entry; the model read the entry first and could copy a PTE whose page
        // reclaim had just unmapped (a page mapped without being counted in NR_ANON_MAPPED, or already freed).
        var m = Run("""
            seed: 61
            machine: { memory: 64MiB, swap: 256MiB, cpus: 1, transparent_hugepage: never, tlb_entries: 16, tlb_l2_entries: 0, pcid: false }
            vm: { swappiness: 60, overcommit_memory: 0, overcommit_ratio: 50, page_cluster: 3, dirty_ratio: 5, dirty_background_ratio: 10, min_free_kbytes: auto, oom_kill_allocating_task: 1, fault_around_bytes: 65536, read_ahead_kb: 128 }
            files:
              - { path: /data/a, size: 16MiB }
              - { path: /data/b, size: 8MiB }
            cgroups:
              - { path: top, memory.max: max }
              - { path: top/a, memory.max: 9MiB, memory.high: 12MiB, memory.swap.max: max, memory.oom.group: 1 }
              - { path: top/b, memory.low: 22MiB, memory.min: 0MiB }
            processes:
              - name: p0
                oom_score_adj: -1000
                cgroup: top/a
                steps:
                  - alloc: { name: r0, size: 24MiB }
                  - access: { region: r0, pattern: zipf, count: 35443, write_ratio: 0.8 }
                  - read_file: { path: /data/b, offset: 3MiB, size: 3MiB }
                  - alloc: { name: r3, size: 20MiB }
                  - access: { region: r3, pattern: random, count: 31679, write_ratio: 0.1 }
                  - fork:
                      steps:
                        - touch: { region: r3, write: true, stride: 4KiB }
                  - fork:
                      steps:
                        - touch: { region: r3, write: true, stride: 4KiB }
              - name: p1
                oom_score_adj: -1000
                steps:
                  - alloc: { name: r0, size: 13MiB }
                  - mlock: { region: r0 }
                  - access: { region: r0, pattern: zipf, count: 38374, write_ratio: 0.9 }
                  - touch: { region: r0, write: false }
                  - free: { region: r0 }
              - name: p2
                oom_score_adj: -1000
                cgroup: top/b
                steps:
                  - map_file: { name: r0, path: /data/a, prot: rw, shared: false }
                  - access: { region: r0, pattern: random, count: 27255, write_ratio: 0.8 }
            """);
        var r = RunReport.Build(m);
        Assert.True(r.Vmstat["pgscan_direct"] > 0 && r.Vmstat["pswpout"] > 0, "reclaim swapped out p0's pages");
        Assert.Equal(new[] { 1000, 1001, 1002, 1003, 1004 }, r.Processes.Select(p => p.Pid));
        Assert.All(r.Processes, p => Assert.Equal("running", p.State));
    }

    [Fact]
    public void A_copy_on_write_of_an_anonymous_page_is_not_called_a_file_page()
    {
        var m = Sim.Run("""
            machine: { memory: 256MiB }
            processes:
              - name: parent
                steps:
                  - alloc: { name: heap, size: 1MiB }
                  - touch: { region: heap, write: true }
                  - fork:
                      steps:
                        - touch: { region: heap, write: true }
            """, new MachineOptions { FaultEventLimit = 1000 });
        var log = m.Kernel.Log.Events.Select(e => e.Message).ToList();
        Assert.Contains(log, l => l.StartsWith("touch heap (write): 256 minor, 0 major faults [256 copy-on-write of anonymous pages]", StringComparison.Ordinal));
        Assert.Contains(log, l => l.EndsWith("(write): copy-on-write of an anonymous page", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("file page", StringComparison.Ordinal));
    }
}
