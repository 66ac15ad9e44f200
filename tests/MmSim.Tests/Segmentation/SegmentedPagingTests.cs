using MmSim.Reports;
using MmSim.Segmentation;

namespace MmSim.Tests.Segmentation;

/// <summary><c>translation: segmented_paging</c>: a page table per segment, pages faulting in lazily.</summary>
public class SegmentedPagingTests
{
    [Fact]
    public void Pages_fault_in_on_first_access_into_the_lowest_free_frame()
    {
        var m = SegmentScenarioTests.Run("""
            machine: { translation: segmented_paging, memory: 16KiB }
            processes:
              - name: p
                segments: [ { id: 0, limit: 10000 }, { id: 1, limit: 5000, prot: r } ]
                steps:
                  - access: { segment: 1, offset: 4097 }
                  - access: { segment: 0, offset: 9999, write: true, value: 5 }
                  - access: { segment: 0, offset: 9998 }
            """);
        var p = m.Processes[0];
        Assert.Equal(2, p.PageFaults);
        Assert.Equal([SegEntry.NotTouched, 0L], p.Segments[1].PageTable!);
        Assert.Equal([SegEntry.NotTouched, SegEntry.NotTouched, 1L], p.Segments[0].PageTable!);
        var w = m.Translate(p.Pid, 0, 9999);
        Assert.Equal((2L, 1807L, 1L, 4096L + 1807), (w.Page!.Value, w.PageOffset!.Value, w.Frame!.Value, w.Result.Physical!.Value));
        Assert.Equal(5, m.Ram[4096 + 1807]);
        Assert.Equal(SegmentFault.NotPresent, m.Translate(p.Pid, 0, 0).Result.Fault);
        Assert.Equal(SegmentFault.Limit, m.Translate(p.Pid, 0, 10000).Result.Fault);
        var r = SegmentationReport.Build(m);
        // Last pages: 3 × 4096 − 10000 = 2288 and 2 × 4096 − 5000 = 3192.
        Assert.Equal(5480, r.InternalFragmentationBytes);
        Assert.Equal(2, r.FreeFrames);
        Assert.Equal(2, r.Counters["pgfault"]);
        // Two memory reads per access (the segment's page table, the byte) and a minor fault per new page.
        Assert.Equal(3 * 200 + 2 * 1000, p.CpuNs);
    }

    [Fact]
    public void The_least_recently_used_page_goes_to_swap_and_comes_back_intact()
    {
        var m = SegmentScenarioTests.Run("""
            machine: { translation: segmented_paging, memory: 8KiB, swap: 8KiB }
            processes:
              - name: p
                segments: [ { id: 0, limit: 12KiB } ]
                steps:
                  - access: { segment: 0, offset: 1, write: true, value: 10 }
                  - access: { segment: 0, offset: 4097, write: true, value: 20 }
                  - access: { segment: 0, offset: 8193, write: true, value: 30 }
                  - access: { segment: 0, offset: 1 }
            """);
        // Page 2 needs a frame: page 0 (least recently used) goes to swap; reading page 0 pushes page 1 out.
        Assert.Equal(["segment 0 page 0 swapped out from frame 0", "segment 0 page 1 swapped out from frame 1", "segment 0 page 0 swapped in to frame 1"],
            m.Log.Events.Where(e => e.Type is "swap_out" or "swap_in").Select(e => e.Message));
        Assert.Equal("segment 0, offset 1 -> physical 4097 (read 10)", m.Log.Events.Last().Message);
        Assert.Equal((1L, 2L), (m.Counters.PswpIn, m.Counters.PswpOut));
        Assert.Equal(20, m.Peek(m.Processes[0].Pid, 0, 4097)); // on swap
        Assert.Equal(30, m.Peek(m.Processes[0].Pid, 0, 8193));
    }

    [Fact]
    public void With_no_frame_and_no_swap_the_faulting_process_is_killed()
    {
        var m = SegmentScenarioTests.Run("""
            machine: { translation: segmented_paging, memory: 4KiB }
            processes:
              - name: p
                segments: [ { id: 0, limit: 8KiB } ]
                steps:
                  - touch: { segment: 0 }
            """);
        var p = m.Processes[0];
        Assert.Equal(("SIGKILL", "out of memory: all 1 frames are in use and there is no swap"), (p.Signal, p.Reason));
        Assert.Equal(1, m.Frames!.FreeFrames);
    }
}
