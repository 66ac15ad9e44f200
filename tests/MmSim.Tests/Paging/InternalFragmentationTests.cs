namespace MmSim.Tests.Paging;

/// <summary>Paging's internal fragmentation: mmap rounds a length up to whole pages; the rest of the last page is
/// mapped but unused.</summary>
public class InternalFragmentationTests
{
    [Fact]
    public void Alloc_of_10000_bytes_with_4KiB_pages_wastes_2288()
    {
        var r = Sim.Report("""
            seed: 1
            machine: { memory: 64MiB, page_size: 4KiB }
            processes:
              - name: p
                steps:
                  - alloc: { name: a, size: 10000 }
                  - sleep: 1ms
            """);
        Assert.Equal(2288, r.Proc("p").InternalFragmentationBytes); // 3 × 4096 − 10000
        Assert.Equal(2288, r.InternalFragmentationBytes);
    }

    [Fact]
    public void Waste_is_summed_per_process_and_in_total_and_freed_with_the_mapping()
    {
        var r = Sim.Report("""
            seed: 1
            machine: { memory: 64MiB, page_size: 16KiB }
            processes:
              - name: p
                steps:
                  - alloc: { name: a, size: 1 }
                  - alloc: { name: b, size: 16KiB }
                  - alloc: { name: c, size: 20000 }
                  - alloc: { name: d, size: 100 }
                  - free: { region: d }
                  - sleep: 1ms
              - name: q
                steps:
                  - alloc: { name: a, size: 40000 }
                  - sleep: 1ms
            """);
        Assert.Equal(16383 + 0 + 12768, r.Proc("p").InternalFragmentationBytes);
        Assert.Equal(49152 - 40000, r.Proc("q").InternalFragmentationBytes);
        Assert.Equal(16383 + 12768 + 9152, r.InternalFragmentationBytes);
    }
}
