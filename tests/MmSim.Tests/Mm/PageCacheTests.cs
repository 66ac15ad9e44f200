using MmSim.Reports;

namespace MmSim.Tests.Mm;

/// <summary>File pages: a page found in the page cache is a minor fault, one read from disk a major fault.</summary>
public class PageCacheTests
{
    [Fact]
    public void Without_readahead_every_cold_page_is_a_major_fault_and_every_warm_one_minor()
    {
        var r = Sim.Report("""
            machine: { memory: 1GiB }
            vm: { fault_around_bytes: 4096, read_ahead_kb: 0 }
            files:
              - { path: /data/f, size: 4MiB }
            processes:
              - name: cold
                steps:
                  - map_file: { name: f, path: /data/f }
                  - touch: { region: f }
              - name: warm
                start_at: 1s
                steps:
                  - map_file: { name: f, path: /data/f }
                  - touch: { region: f }
            """);
        Assert.Equal(1024, r.Proc("cold").MajFlt);
        Assert.Equal(0, r.Proc("cold").MinFlt);
        Assert.Equal(0, r.Proc("warm").MajFlt);
        Assert.Equal(1024, r.Proc("warm").MinFlt);
        Assert.Equal(4096, r.Proc("warm").RssFile);
        Assert.Equal(1024, r.Vmstat["pgmajfault"]);
        Assert.Equal(2048, r.Vmstat["pgfault"]);
        Assert.Equal(4096, r.Vmstat["pgpgin"]);
        Assert.Equal(4096, r.Meminfo["Cached"]);
        Assert.Equal(4096, r.Meminfo["Inactive(file)"]);
        Assert.Equal(4096, r.Meminfo["Mapped"]); // both still map the same cached pages: counted once
        Assert.Equal(4096, r.Proc("cold").RssFile);
    }

    [Fact]
    public void Fault_around_maps_sixteen_cached_pages_per_fault()
    {
        // 64 KiB-aligned windows of 16 pages. A file mapping of 2 MiB or more is placed 2 MiB-aligned
        // (__thp_get_unmapped_area), so 1024 pages take exactly 64 faults.
        var r = Sim.Report("""
            machine: { memory: 1GiB }
            files:
              - { path: /data/f, size: 4MiB }
            processes:
              - name: reader
                steps:
                  - read_file: { path: /data/f, offset: 0, size: 4MiB }
                  - map_file: { name: f, path: /data/f }
                  - touch: { region: f }
                  - sleep: 1ms
            """);
        var p = r.Proc("reader");
        Assert.Equal(0, p.MajFlt);
        Assert.Equal(64, p.MinFlt);
        Assert.Equal(4096, p.RssFile);
        Assert.Equal(4096, r.Meminfo["Mapped"]);
    }

    [Fact]
    public void Buffered_reads_fill_the_page_cache_and_a_second_read_activates()
    {
        var once = Sim.Report("""
            files:
              - { path: /d, size: 1MiB }
            processes:
              - name: r
                steps:
                  - read_file: { path: /d, offset: 0, size: 1MiB }
            """);
        Assert.Equal(1024, once.Vmstat["pgpgin"]);
        Assert.Equal(1024, once.Meminfo["Inactive(file)"]);
        Assert.Equal(0, once.Proc("r").MajFlt); // read() does not fault
        var twice = Sim.Report("""
            files:
              - { path: /d, size: 1MiB }
            processes:
              - name: r
                steps:
                  - read_file: { path: /d, offset: 0, size: 1MiB }
                  - read_file: { path: /d, offset: 0, size: 1MiB }
            """);
        // folio_mark_accessed: the first read marks referenced, the second activates.
        Assert.Equal(1024, twice.Meminfo["Active(file)"]);
        Assert.Equal(256, twice.Vmstat["pgactivate"]);
        Assert.Equal(1024, twice.Vmstat["pgpgin"]);
    }

    [Fact]
    public void Writing_a_private_file_mapping_copies_the_page()
    {
        var m = Sim.Run("""
            files:
              - { path: /d, size: 64KiB }
            processes:
              - name: w
                steps:
                  - map_file: { name: f, path: /d, prot: rw }
                  - touch: { region: f }
                  - touch: { region: f, write: true }
                  - sleep: 1ms
            """);
        var p = RunReport.Build(m).Proc("w");
        Assert.Equal(64, p.RssAnon);
        Assert.Equal(0, p.RssFile);
        // The first read is one major fault: read-around brings the whole 16-page file in and fault-around maps
        // all of it. Then each write is a write-protect fault that copies the file page (do_wp_page → wp_page_copy).
        Assert.Equal(1, p.MajFlt);
        Assert.Equal(16, p.MinFlt);
    }
}
