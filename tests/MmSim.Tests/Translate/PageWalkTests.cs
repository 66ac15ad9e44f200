using System.Text.Json;
using MmSim.Machine;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Translate;

namespace MmSim.Tests.Translate;

public class PageWalkTests
{
    // 'holder' keeps its memory (no exit step). Its 64 KiB heap is the first mmap below mmap_base
    // (TASK_SIZE_MAX - 128 MiB = 0x7ffff7fff000), so it is [0x7ffff7fef000, 0x7ffff7fff000).
    // Pages 0 and 1 are written (own zeroed pages), page 4 is read (the zero page), the rest untouched.
    internal const string Yaml = """
        seed: 1
        machine: { memory: 64MiB, page_size: 4KiB, swap: 0 }
        processes:
          - name: holder
            steps:
              - alloc: { name: heap, size: 64KiB, prot: rw }
              - touch: { region: heap, write: true, length: 8KiB }
              - touch: { region: heap, offset: 16KiB, length: 4KiB, write: false }
        """;

    private const ulong Heap = 0x7fff_f7fe_f000UL;

    private static (SimMachine M, MmSim.Mm.MmStruct Mm) Run()
    {
        var m = Sim.Run(Yaml);
        return (m, m.Tasks.Single(t => t.Pid == 1000).Mm);
    }

    [Fact]
    public void A_written_page_walks_to_its_frame()
    {
        var (m, mm) = Run();
        // 0x7ffff7ff0abc: PGD bits 47..39 = 0_1111_1111 = 255; PUD bits 38..30 all 1 = 511;
        // low 30 bits 0x37ff0abc: PMD = 0x37ff0abc >> 21 = 0x1bf = 447; PTE = (0x37ff0abc >> 12) & 0x1ff = 0x1f0 = 496
        var r = PageWalk.Walk(m.Kernel, mm, Heap + 0x1abc);
        Assert.Null(r.Fault);
        Assert.Equal("heap", r.Vma!.Name);
        Assert.Equal(["PGD", "PUD", "PMD", "PTE"], r.Steps.Select(s => s.Level));
        Assert.Equal([255, 511, 447, 496], r.Steps.Select(s => s.Index));
        Assert.Equal(["P|RW|US|A", "P|RW|US|A", "P|RW|US|A", "P|RW|US|A|D|NX"], r.Steps.Select(s => s.Flags));
        Assert.Equal(m.Kernel.Tables.FrameOf(mm.PgdTable), r.Steps[0].TablePfn);
        for (int i = 0; i < 3; i++)
        {
            // each upper entry points to the frame of the next table, shown as an x86 entry: frame << 12 | 0x27
            Assert.Equal(r.Steps[i + 1].TablePfn, r.Steps[i].EntryPfn);
            Assert.Equal(((ulong)r.Steps[i + 1].TablePfn << 12) | 0x27, r.Steps[i].Entry);
        }
        foreach (var s in r.Steps)
            Assert.NotEqual(0u, m.Kernel.Frames[s.TablePfn].Flags & (uint)FrameFlags.PageTable);
        long pfn = r.Steps[3].EntryPfn!.Value;
        Assert.Equal(Pte.Make(pfn, Pte.Present | Pte.Write | Pte.User | Pte.Accessed | Pte.Dirty | Pte.NoExec), r.Steps[3].Entry);
        Assert.Equal(((ulong)pfn << 12) | 0xabc, r.Physical);
        Assert.Equal(mm.Id, m.Kernel.Frames[pfn].Owner);
    }

    [Fact]
    public void A_read_only_touched_page_is_the_zero_page()
    {
        var (m, mm) = Run();
        var r = PageWalk.Walk(m.Kernel, mm, Heap + 0x4010); // page 4: PTE index 495 + 4 = 499
        Assert.Equal(WalkFault.ZeroPage, r.Fault);
        Assert.Equal(499, r.Steps[3].Index);
        Assert.Equal("P|US|A|SPECIAL|NX", r.Steps[3].Flags);
        Assert.Equal(0x10UL, r.Physical); // the simulator's zero page is pfn 0
    }

    [Fact]
    public void Untouched_pages_and_addresses_outside_any_vma_are_not_mapped()
    {
        var (m, mm) = Run();
        var r = PageWalk.Walk(m.Kernel, mm, Heap + 0x6000);
        Assert.Equal(WalkFault.NotMapped, r.Fault);
        Assert.Equal(4, r.Steps.Count);
        Assert.Equal(0UL, r.Steps[3].Entry);
        Assert.Contains("demand paging", r.Reason);
        r = PageWalk.Walk(m.Kernel, mm, 0x1000); // PGD index 0: no table below it
        Assert.Equal(WalkFault.NotMapped, r.Fault);
        Assert.Single(r.Steps);
        Assert.Null(r.Vma);
        Assert.Contains("SIGSEGV", r.Reason);
    }

    [Fact]
    public void Kernel_and_non_canonical_addresses_fault_before_the_walk()
    {
        var (m, mm) = Run();
        Assert.Equal(WalkFault.KernelAddress, PageWalk.Walk(m.Kernel, mm, 0xffff_8880_0000_0000UL).Fault);
        var r = PageWalk.Walk(m.Kernel, mm, 0x0000_8000_0000_0000UL);
        Assert.Equal(WalkFault.NonCanonical, r.Fault);
        Assert.Empty(r.Steps);
    }

    [Fact]
    public void Swap_entries_and_write_protection()
    {
        var (m, mm) = Run();
        int table = m.PageTables.Walk(mm, Heap, out int slot);
        ulong saved = m.Kernel.Tables[table][slot];
        m.Kernel.Tables[table][slot] = Pte.MakeSwap(7);
        var r = PageWalk.Walk(m.Kernel, mm, Heap);
        Assert.Equal(WalkFault.SwapEntry, r.Fault);
        Assert.Equal("swap entry (slot 7)", r.Steps[3].Flags);
        Assert.Null(r.Physical);
        m.Kernel.Tables[table][slot] = saved & ~Pte.Write;
        Assert.Null(PageWalk.Walk(m.Kernel, mm, Heap).Fault);
        r = PageWalk.Walk(m.Kernel, mm, Heap, write: true);
        Assert.Equal(WalkFault.WriteProtected, r.Fault);
        Assert.Contains("copy on write", r.Reason);
    }

    [Fact]
    public void Cli_walks_a_scenario()
    {
        string path = Path.Combine(TestTemp.Dir, $"mmsim-walk-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Yaml);
        try
        {
            var (code, o, e) = TranslateCommandTests.Run("translate", "--scenario", path, "--pid", "1000", "0x7ffff7ff0abc", "--json");
            Assert.Equal(0, code);
            Assert.Equal("", e);
            var root = JsonDocument.Parse(o).RootElement;
            Assert.Equal("heap", root.GetProperty("vma").GetString());
            Assert.Equal([255, 511, 447, 496], root.GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("index").GetInt32()));
            Assert.EndsWith("abc", root.GetProperty("physical").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("fault").ValueKind);
            Assert.True(root.GetProperty("tlb").GetProperty("misses").GetInt64() > 0);
            (code, o, _) = TranslateCommandTests.Run("translate", "--scenario", path, "--pid", "1000", "0x7ffff7ff3010", "--access", "w");
            Assert.Equal(0, code);
            Assert.Contains("fault zero-page", o);
            (code, _, e) = TranslateCommandTests.Run("translate", "--scenario", path, "--pid", "7", "0x1000");
            Assert.Equal(2, code);
            Assert.Contains("no process 7", e);
        }
        finally { File.Delete(path); }
    }
}

public class La57MachineTests
{
    private static string Yaml(string translation) =>
        PageWalkTests.Yaml.Replace("swap: 0 }", $"swap: 0, translation: {translation} }}");

    [Fact]
    public void Five_level_machine_walks_pgd_p4d_pud_pmd_pte()
    {
        var m = Sim.Run(Yaml("x86_64_la57"));
        Assert.Equal(5, m.Kernel.Layout.Levels);
        var mm = m.Tasks.Single().Mm;
        // 0x7ffff7ff0abc below 2^48: the new PGD index (bits 56..48) is 0, the old indices move down one level
        var r = PageWalk.Walk(m.Kernel, mm, 0x7fff_f7ff_0abcUL);
        Assert.Null(r.Fault);
        Assert.Equal(["PGD", "P4D", "PUD", "PMD", "PTE"], r.Steps.Select(s => s.Level));
        Assert.Equal([0, 255, 511, 447, 496], r.Steps.Select(s => s.Index));
        // 0x0000800000000000 is canonical user space under LA57 (non-canonical under 4-level): no VMA there
        r = PageWalk.Walk(m.Kernel, mm, 0x0000_8000_0000_0000UL);
        Assert.Equal(WalkFault.NotMapped, r.Fault);
        Assert.Equal(WalkFault.NonCanonical, PageWalk.Walk(m.Kernel, mm, 0x0100_0000_0000_0000UL).Fault);
        Assert.Equal(WalkFault.KernelAddress, PageWalk.Walk(m.Kernel, mm, 0xff11_0000_0000_0000UL).Fault);
    }

    [Fact]
    public void The_p4d_counts_in_page_tables_but_not_in_vmpte()
    {
        var four = MmSim.Reports.RunReport.Build(Sim.Run(Yaml("x86_64")));
        var five = MmSim.Reports.RunReport.Build(Sim.Run(Yaml("x86_64_la57")));
        // VmPTE: PUD + PMD + PTE = 12 kB on both; PageTables adds the PGD, and under LA57 the P4D
        Assert.Equal(12, four.Processes[0].VmPTE);
        Assert.Equal(12, five.Processes[0].VmPTE);
        Assert.Equal(four.Meminfo["PageTables"] + 4, five.Meminfo["PageTables"]);
    }

    [Fact]
    public void Bad_translation_is_an_input_error()
    {
        Assert.Contains("invalid machine.translation 'arm64'", Assert.Throws<InputException>(() => Sim.Run(Yaml("arm64"))).Message);
        var ex = Assert.Throws<InputException>(() => Sim.Run(Yaml("x86_64_la57").Replace("page_size: 4KiB", "page_size: 16KiB")));
        Assert.Contains("needs 4KiB pages", ex.Message);
    }

    [Fact]
    public void The_twin_refuses_five_level_paging()
    {
        var scenario = MmSim.Workloads.ScenarioLoader.LoadText(Yaml("x86_64_la57"), "test.yaml");
        var ex = Assert.Throws<InputException>(() => MmSim.Twin.TwinPlan.Build(scenario));
        Assert.Contains("4-level paging", ex.Message);
    }
}
