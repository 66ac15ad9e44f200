using MmSim.PageCache;
using MmSim.Reports;

namespace MmSim.Tests.PageCache;

public class ReadaheadTests
{
    [Theory]
    // get_init_ra_size(size, max=32): round up to a power of two, ×4 if ≤ max/32, ×2 if ≤ max/4, else max.
    [InlineData(1, 32, 4)]
    [InlineData(2, 32, 4)]
    [InlineData(3, 32, 8)]
    [InlineData(8, 32, 16)]
    [InlineData(9, 32, 32)]
    [InlineData(4096, 32, 32)]
    public void Init_ra_size_follows_the_kernel(long size, long max, long expected) =>
        Assert.Equal(expected, Readahead.InitRaSize(size, max));

    [Theory]
    [InlineData(1, 32, 4)]   // < max/16: ×4
    [InlineData(4, 32, 8)]   // ≤ max/2: ×2
    [InlineData(16, 32, 32)]
    [InlineData(32, 32, 32)]
    public void Next_ra_size_follows_the_kernel(long cur, long max, long expected) =>
        Assert.Equal(expected, Readahead.NextRaSize(cur, max));

    [Fact]
    public void A_sequential_read_is_served_in_read_ahead_windows_that_overlap_the_copying()
    {
        var m = Sim.Run("""
            machine: { latency: { major_fault: 100us } }
            files:
              - { path: /d, size: 1MiB }
            processes:
              - name: r
                steps:
                  - read_file: { path: /d, offset: 0, size: 1MiB }
            """);
        var r = RunReport.Build(m);
        Assert.Equal(1024, r.Vmstat["pgpgin"]);
        Assert.Equal(0, r.Vmstat["pgmajfault"]);
        // Eight 32-page windows, one disk request each, served one after another by the disk queue. Reaching a
        // window's marker queues the next one behind it, so the reader waits for every window, a little less
        // than 100 us each after the first: 100 + 7 × ~97 us.
        var t = m.Tasks[0];
        Assert.InRange(t.IoWaitNs, 750_000, 800_000);
        Assert.Equal(8, m.Kernel.Disk.Requests);
    }

    [Fact]
    public void Sequential_mmap_reads_after_the_first_miss_are_mostly_minor_faults()
    {
        var r = Sim.Report("""
            files:
              - { path: /d, size: 4MiB }
            processes:
              - name: r
                steps:
                  - map_file: { name: f, path: /d }
                  - touch: { region: f }
            """);
        var p = r.Proc("r");
        Assert.Equal(1, r.Vmstat["pgmajfault"]);     // only the first fault finds nothing cached
        Assert.Equal(4096, r.Vmstat["pgpgin"]);      // the whole file was read, window by window
        Assert.True(p.MajFlt > 1);                   // later faults waited for pages still under I/O
        Assert.Equal(p.MinFlt + p.MajFlt, r.Vmstat["pgfault"]);
    }
}
