using MmSim.Machine;
using MmSim.Reports;

namespace MmSim.Tests.Mm;

/// <summary>Lazy allocation exactly as Linux does it: mmap reserves, the first touch faults.</summary>
public class DemandPagingTests
{
    private const string Header = """
        seed: 1
        machine: { memory: 1GiB, page_size: 4KiB }
        processes:
        """;

    [Fact]
    public void Alloc_reserves_virtual_space_only()
    {
        var r = Sim.Report(Header + """

              - name: lazy
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - sleep: 1ms
            """);
        var p = r.Proc("lazy");
        Assert.Equal(65536, p.VmSize);
        Assert.Equal(0, p.VmRSS);
        Assert.Equal(0, p.MinFlt);
        Assert.Equal(0, p.VmPTE); // no table below the PGD until the first fault
        Assert.Equal(0, r.Vmstat["pgfault"]);
    }

    [Fact]
    public void Writing_every_page_of_64MiB_costs_16384_minor_faults()
    {
        var r = Sim.Report(Header + """

              - name: lazy
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - touch: { region: heap, write: true }
                  - sleep: 1ms
            """);
        var p = r.Proc("lazy");
        Assert.Equal(16384, p.MinFlt);
        Assert.Equal(0, p.MajFlt);
        Assert.Equal(65536, p.VmRSS);
        Assert.Equal(65536, p.RssAnon);
        Assert.Equal(65536, p.VmHWM);
        Assert.Equal(16384, r.Vmstat["pgfault"]);
        Assert.Equal(0, r.Vmstat["pgmajfault"]);
    }

    [Fact]
    public void Read_then_write_costs_32768_minor_faults_and_reads_use_the_zero_page()
    {
        var m = Sim.Run(Header + """

              - name: rw
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - touch: { region: heap, write: false }
                  - touch: { region: heap, write: true }
                  - sleep: 1ms
            """);
        var r = RunReport.Build(m);
        var p = r.Proc("rw");
        Assert.Equal(32768, p.MinFlt);
        Assert.Equal(65536, p.VmRSS);
        Assert.Equal(32768, r.Vmstat["pgfault"]);
        var steps = m.Kernel.Log.Events.Where(e => e.Type == EventTypes.Step).Select(e => e.Message).ToList();
        Assert.StartsWith("touch heap (read): 16384 minor, 0 major faults [16384 zero-page]", steps[0]);
        Assert.StartsWith("touch heap (write): 16384 minor, 0 major faults [16384 copy-on-write of the zero page]", steps[1]);
    }

    [Fact]
    public void Reading_only_maps_the_zero_page_and_uses_no_frame()
    {
        var before = Sim.Report(Header + """

              - name: reader
                steps:
                  - alloc: { name: heap, size: 8MiB }
                  - sleep: 1ms
            """);
        var after = Sim.Report(Header + """

              - name: reader
                steps:
                  - alloc: { name: heap, size: 8MiB }
                  - touch: { region: heap }
                  - sleep: 1ms
            """);
        var p = after.Proc("reader");
        Assert.Equal(2048, p.MinFlt);
        Assert.Equal(0, p.VmRSS);
        Assert.Equal(0, after.Meminfo["AnonPages"]);
        // Only the page tables cost memory: the zero page is shared and not counted.
        long tablesKb = after.Meminfo["PageTables"] - before.Meminfo["PageTables"];
        Assert.Equal(before.Meminfo["MemFree"] - tablesKb, after.Meminfo["MemFree"]);
    }

    [Fact]
    public void VmPTE_counts_the_PTE_PMD_and_PUD_tables_of_a_known_layout()
    {
        // 64 MiB placed top-down below mmap_base 0x7ffff7fff000 starts at 0x7ffff3fff000: not 2 MiB aligned,
        // so it touches 33 PTE tables, 1 PMD table and 1 PUD table: 35 × 4 kB = 140 kB. PageTables adds the PGD.
        var m = Sim.Run(Header + """

              - name: lazy
                steps:
                  - alloc: { name: heap, size: 64MiB }
                  - touch: { region: heap, write: true }
                  - sleep: 1ms
            """);
        var r = RunReport.Build(m);
        Assert.Equal(140, r.Proc("lazy").VmPTE);
        Assert.Equal(144, r.Meminfo["PageTables"]);
    }

    [Fact]
    public void First_mapping_sits_right_below_mmap_base()
    {
        var m = Sim.Run(Header + """

              - name: p
                steps:
                  - alloc: { name: a, size: 64MiB }
                  - alloc: { name: b, size: 4KiB }
                  - sleep: 1ms
            """);
        var mm = m.Tasks[0].Mm;
        Assert.Equal(0x7ffff3fff000UL, mm.Vmas[1].Start);
        Assert.Equal(0x7ffff7fff000UL, mm.Vmas[1].End);
        Assert.Equal(0x7ffff3ffe000UL, mm.Vmas[0].Start);
    }

    [Fact]
    public void Free_returns_every_frame_and_page_table()
    {
        var r0 = Sim.Report(Header + """

              - name: p
                steps:
                  - sleep: 1ms
            """);
        var r = Sim.Report(Header + """

              - name: p
                steps:
                  - alloc: { name: heap, size: 16MiB }
                  - touch: { region: heap, write: true }
                  - free: { region: heap }
                  - sleep: 1ms
            """);
        var p = r.Proc("p");
        Assert.Equal(4096, p.MinFlt);
        Assert.Equal(0, p.VmRSS);
        Assert.Equal(0, p.VmSize);
        Assert.Equal(0, p.VmPTE);
        Assert.Equal(16384, p.VmHWM);
        Assert.Equal(r0.Meminfo["MemFree"], r.Meminfo["MemFree"]);
        // 4096 data pages, then 9 PTE tables (16 MiB not 2 MiB-aligned), 1 PMD and 1 PUD table freed by munmap.
        Assert.Equal(4096 + 11, r.Vmstat["pgfree"] - r0.Vmstat["pgfree"]);
    }

    [Fact]
    public void Exited_processes_give_all_memory_back()
    {
        var m = Sim.Run(Header + """

              - name: p
                steps:
                  - alloc: { name: heap, size: 16MiB }
                  - touch: { region: heap, write: true }
                  - exit: {}
            """);
        var k = m.Kernel;
        Assert.Equal(k.Phys.TotalRamPages, k.Phys.NrFreePages);
        Assert.Equal(0, k.NrAnonMapped);
        Assert.Equal(0, k.NrPageTable);
        Assert.Equal(0, k.NrKernelStackKb);
        var p = RunReport.Build(m).Proc("p");
        Assert.Equal("exited", p.State);
        Assert.Equal(16384, p.VmRSS); // as it was just before exit
    }

    [Fact]
    public void Stride_offset_and_length_select_the_pages_touched()
    {
        var r = Sim.Report(Header + """

              - name: p
                steps:
                  - alloc: { name: heap, size: 1MiB }
                  - touch: { region: heap, write: true, stride: 8KiB, offset: 64KiB, length: 128KiB }
                  - sleep: 1ms
            """);
        Assert.Equal(16, r.Proc("p").MinFlt);
        Assert.Equal(64, r.Proc("p").VmRSS);
    }

    [Fact]
    public void Random_access_faults_each_distinct_page_once()
    {
        var m = Sim.Run(Header + """

              - name: p
                steps:
                  - alloc: { name: heap, size: 256KiB }
                  - access: { region: heap, pattern: random, count: 5000, write_ratio: 1.0 }
                  - sleep: 1ms
            """);
        var p = RunReport.Build(m).Proc("p");
        Assert.Equal(64, p.MinFlt);           // 5000 uniform draws over 64 pages touch all of them
        Assert.Equal(256, p.VmRSS);
        Assert.Equal(5000, p.Accesses);
    }
}
