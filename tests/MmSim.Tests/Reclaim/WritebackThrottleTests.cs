using MmSim.Reports;

namespace MmSim.Tests.Reclaim;

/// <summary>
/// should_reclaim_retry (mm/page_alloc.c): a direct reclaimer that made no progress while more than half of what is
/// reclaimable waits to be written sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) "to prevent from pre mature
/// OOM" — and the flusher reclaim woke writes meanwhile. Without that sleep the reclaimer's sixteen fruitless rounds
/// took no time at all and the OOM killer shot a process whose memory was one disk write away.
/// </summary>
public class WritebackThrottleTests
{
    /// <summary>160 MiB of dirty file pages (dirty limits raised so nothing writes them early), a slow disk (20 ms a
    /// request), no swap, then 120 MiB of anonymous memory on a 256 MiB machine: reclaim can only free the file pages,
    /// each after its write.</summary>
    private const string Yaml = """
        seed: 1
        machine: { memory: 256MiB, swap: 0, latency: { disk_write: 20ms } }
        vm: { dirty_ratio: 90, dirty_background_ratio: 80, dirty_expire_centisecs: 360000, dirty_writeback_centisecs: 360000 }
        files:
          - { path: /data/out, size: 160MiB }
        processes:
          - name: writer
            steps:
              - write_file: { path: /data/out, size: 160MiB }
              - sleep: 1s
          - name: hog
            start_after: writer
            steps:
              - alloc: { name: heap, size: 120MiB }
              - touch: { region: heap, write: true }
        """;

    [Fact]
    public void Direct_reclaim_waits_for_writeback_instead_of_calling_the_oom_killer()
    {
        var r = Sim.Report(Yaml);
        var hog = r.Proc("hog");
        Assert.Equal("running", hog.State);          // without the throttle: killed after 17 direct reclaims
        Assert.Equal(0, r.Vmstat["oom_kill"]);
        Assert.Equal(40960, r.Vmstat["nr_written"]);  // every dirty page written back
        Assert.Equal(40, hog.DirectReclaims);
        Assert.Equal(994, r.Vmstat["pgsteal_direct"]);
        // The stall includes the throttle's sleeps (up to HZ/10 each): far more than 40 rounds of CPU work.
        Assert.Equal(370711900, hog.StallNs);
        Assert.Equal(hog.DirectReclaims, r.Vmstat["allocstall_movable"] + r.Vmstat["allocstall_normal"]);
    }
}
