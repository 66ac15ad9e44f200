using System.Text.Json;
using MmSim.Reports;
using MmSim.Segmentation;
using MmSim.Workloads;

namespace MmSim.Tests.Segmentation;

/// <summary>Scenarios under <c>translation: segmentation</c>: the textbook's segment table, the fit policies,
/// compaction and whole-segment swapping, run on <see cref="SegMachine"/>.</summary>
public class SegmentScenarioTests
{
    internal static SegMachine Run(string yaml)
    {
        var m = new SegMachine(ScenarioLoader.LoadText(yaml, "test.yaml"));
        m.Run();
        CheckInvariants(m);
        return m;
    }

    /// <summary>Every resident segment is exactly one partition at its base; partitions and holes tile memory.</summary>
    internal static void CheckInvariants(SegMachine m)
    {
        if (m.Partitions is not { } parts) return;
        var resident = m.Processes.SelectMany(p => p.Segments.Values.Where(e => !e.Swapped).Select(e => (p.Pid, e))).ToList();
        Assert.Equal(resident.Count, parts.Partitions.Count);
        foreach (var (pid, e) in resident)
        {
            var part = parts.Find($"{pid}:{e.Id}");
            Assert.NotNull(part);
            Assert.Equal(e.Base, part.Base);
            Assert.Equal(e.Limit, part.Size);
        }
        Assert.Equal(m.Spec.MemoryBytes, parts.Partitions.Sum(x => x.Size) + parts.Holes.Sum(h => h.Size));
        long swapped = m.Processes.SelectMany(p => p.Segments.Values).Where(e => e.Swapped).Sum(e => e.Limit);
        Assert.Equal(swapped, m.SwapUsedBytes);
    }

    internal const string Textbook = """
        machine: { translation: segmentation, memory: 8KiB }
        processes:
          - name: p
            segments:
              - { id: 0, base: 1400, limit: 1000 }
              - { id: 1, base: 6300, limit: 400 }
              - { id: 2, base: 4300, limit: 400 }
              - { id: 3, base: 3200, limit: 1100 }
              - { id: 4, base: 4700, limit: 1000 }
        """;

    [Fact]
    public void The_textbook_table_translates_through_a_scenario_run()
    {
        var m = Run(Textbook + """

                steps:
                  - access: { segment: 2, offset: 53, write: true, value: 7 }
                  - access: { segment: 3, offset: 852 }
                  - access: { segment: 0, offset: 1222 }
            """);
        var r = SegmentationReport.Build(m);
        var accesses = r.Events.Where(e => e.Type == "access").Select(e => e.Message).ToArray();
        Assert.Equal(["segment 2, offset 53 -> physical 4353 (write 7)", "segment 3, offset 852 -> physical 4052 (read 0)"], accesses);
        var p = Assert.Single(r.Processes);
        Assert.Equal("killed", p.State);
        Assert.Equal("SIGSEGV", p.Signal);
        Assert.Equal("segment 0, offset 1222: offset 1222 is not below the limit 1000 (trap: limit)", p.Reason);
        Assert.Equal(3, p.Accesses);
        Assert.Equal(1, p.Traps);
        Assert.Equal(1, r.Counters["traps"]);
        Assert.Equal(0, m.Ram[4353]); // written before the trap, then cleared when the killed process's segments were freed
    }

    [Fact]
    public void The_textbook_table_left_by_a_run_answers_translations()
    {
        var m = Run(Textbook);
        Assert.Equal(4353, m.Translate(1000, 2, 53).Result.Physical);
        Assert.Equal(4052, m.Translate(1000, 3, 852).Result.Physical);
        Assert.Equal(SegmentFault.Limit, m.Translate(1000, 0, 1222).Result.Fault);
        Assert.Equal(SegmentFault.NotPresent, m.Translate(1000, 5, 0).Result.Fault);
        var f = m.Partitions!.Fragmentation;
        // Holes: [0,1400) [2400,3200) [5700,6300) [6700,8192): 1400 + 800 + 600 + 1492.
        Assert.Equal(new FragmentationStats(4292, 1492, 4), f);
    }

    [Fact]
    public void Protection_is_checked_after_the_limit()
    {
        var m = Run("""
            machine: { translation: segmentation, memory: 4KiB }
            processes:
              - name: p
                segments: [ { id: 0, base: 0, limit: 100, prot: rx } ]
                steps:
                  - access: { segment: 0, offset: 10, exec: true }
                  - access: { segment: 0, offset: 10, write: true }
            """);
        var p = m.Processes[0];
        Assert.Equal("segment 0, offset 10: w access to a rx segment (trap: protection)", p.Reason);
        Assert.Equal(2, p.Accesses);
    }

    // The layout of VariablePartitionsTests in a scenario: segments A..F (0..5) of 200, 50, 160, 50, 400, 40 bytes
    // in 1200 bytes, then 0, 2 and 4 freed: holes 0(200), 250(160), 460(400), 900(300); next fit's rover at 900.
    [Theory]
    [InlineData("first_fit", 0)]
    [InlineData("next_fit", 900)]
    [InlineData("best_fit", 250)]
    [InlineData("worst_fit", 460)]
    public void Each_placement_policy_places_the_segment_where_the_textbook_says(string policy, long expected)
    {
        var m = Run($$"""
            machine: { translation: segmentation, memory: 1200, placement: {{policy}} }
            processes:
              - name: p
                steps:
                  - segment: { id: 0, size: 200 }
                  - segment: { id: 1, size: 50 }
                  - segment: { id: 2, size: 160 }
                  - segment: { id: 3, size: 50 }
                  - segment: { id: 4, size: 400 }
                  - segment: { id: 5, size: 40 }
                  - free: { segment: 0 }
                  - free: { segment: 2 }
                  - free: { segment: 4 }
                  - segment: { id: 6, size: 150 }
            """);
        var p = m.Processes[0];
        Assert.Equal([200L, 410, 860], new[] { 1, 3, 5 }.Select(i => p.Segments[i].Base));
        Assert.Equal(expected, p.Segments[6].Base);
        var sample = m.FragmentationTimeline[^2]; // after the three frees
        Assert.Equal((1060L, 400L, 4), (sample.FreeBytes, sample.LargestHole, sample.Holes));
    }

    private const string FragmentThenAsk = """
        processes:
          - name: a
            steps:
              - segment: { id: 0, size: 8KiB }
              - segment: { id: 1, size: 8KiB }
              - segment: { id: 2, size: 8KiB }
              - segment: { id: 3, size: 8KiB }
              - access: { segment: 3, offset: 100, write: true, value: 42 }
              - sleep: 1ms
              - segment: { id: 4, size: 16KiB }
              - access: { segment: 3, offset: 100 }
          - name: b
            steps:
              - segment: { id: 0, size: 8KiB }
              - segment: { id: 1, size: 8KiB }
              - segment: { id: 2, size: 8KiB }
              - segment: { id: 3, size: 8KiB }
              - exit
        """;

    [Fact]
    public void Without_compaction_the_request_fails_although_the_free_memory_is_enough()
    {
        var m = Run("machine: { translation: segmentation, memory: 64KiB }\n" + FragmentThenAsk);
        var a = m.Processes[0];
        Assert.False(a.Segments.ContainsKey(4));
        Assert.Equal(1, m.Counters.SegmentAllocFailures);
        var fail = m.Log.Events.Single(e => e.Type == "alloc_fail");
        Assert.Equal("segment 4: 16384 bytes cannot be placed: free 32768 bytes in 4 holes but the largest is 8192 (external fragmentation); no swap", fail.Message);
        // a's segments alternate with b's: 0, 16K, 32K, 48K; b's holes at 8K, 24K, 40K, 56K.
        Assert.Equal([0L, 16384, 32768, 49152], a.Segments.Values.Select(e => e.Base));
    }

    [Fact]
    public void Automatic_compaction_slides_the_segments_down_with_their_bytes()
    {
        var m = Run("machine: { translation: segmentation, memory: 64KiB, compaction: auto }\n" + FragmentThenAsk);
        var a = m.Processes[0];
        Assert.Equal([0L, 8192, 16384, 24576, 32768], a.Segments.Values.Select(e => e.Base));
        Assert.Equal(1, m.Counters.Compactions);
        Assert.Equal(3 * 8192, m.Counters.CompactionBytesMoved);
        Assert.Equal(0, m.Counters.SegmentAllocFailures);
        Assert.Equal(42, m.Ram[24576 + 100]);
        Assert.Equal(42, m.Peek(a.Pid, 3, 100));
        Assert.Equal("segment 3, offset 100 -> physical 24676 (read 42)", m.Log.Events.Last(e => e.Type == "access").Message);
        Assert.Equal(new FragmentationStats(16384, 16384, 1), m.Partitions!.Fragmentation);
    }

    [Fact]
    public void A_whole_segment_is_swapped_out_and_back_with_its_bytes_intact()
    {
        var m = Run("""
            machine:
              translation: segmentation
              memory: 16KiB
              swap: 16KiB
              latency: { access: 100ns, minor_fault: 1us, swap_read: 5ms, swap_write: 4ms }
            processes:
              - name: p
                steps:
                  - segment: { id: 0, size: 8KiB }
                  - segment: { id: 1, size: 8KiB }
                  - access: { segment: 0, offset: 5, write: true, value: 99 }
                  - access: { segment: 0, offset: 8191, write: true, value: 200 }
                  - access: { segment: 1, offset: 7, write: true, value: 11 }
                  - segment: { id: 2, size: 8KiB }
                  - access: { segment: 0, offset: 5 }
                  - access: { segment: 0, offset: 8191 }
                  - access: { segment: 1, offset: 7 }
            """);
        var p = m.Processes[0];
        // Segment 2 needs room: segment 0, least recently used, goes to swap. Reading segment 0 brings it back,
        // which pushes segment 1 out (used before segment 2 was created); reading segment 1 pushes segment 2 out.
        var swaps = m.Log.Events.Where(e => e.Type is "swap_out" or "swap_in").Select(e => (e.TimeNs, e.Message)).ToArray();
        Assert.Equal([
            (3_300L, "segment 0 (8192 bytes) swapped out from [0, 8192)"),
            (4_003_400L, "segment 1 (8192 bytes) swapped out from [8192, 16384)"),
            (4_003_400L, "segment 0 (8192 bytes) swapped in at base 8192"),
            (13_003_600L, "segment 2 (8192 bytes) swapped out from [0, 8192)"),
            (13_003_600L, "segment 1 (8192 bytes) swapped in at base 0"),
        ], swaps);
        Assert.Equal(["(read 99)", "(read 200)", "(read 11)"],
            m.Log.Events.Where(e => e.Type == "access").TakeLast(3).Select(e => e.Message[e.Message.IndexOf('(')..]));
        Assert.Equal((3L, 2L), (m.Counters.SegmentSwapOuts, m.Counters.SegmentSwapIns));
        Assert.Equal((3 * 8192L, 2 * 8192L), (m.Counters.SwapBytesOut, m.Counters.SwapBytesIn));
        Assert.True(p.Segments[2].Swapped);
        Assert.Equal(8192, m.SwapUsedBytes);
        // Three writes of 4 ms and two reads of 5 ms, which the process waits for.
        Assert.Equal(3 * 4_000_000L + 2 * 5_000_000L, p.IoWaitNs);
        Assert.Equal(SegmentFault.NotPresent, m.Translate(p.Pid, 2, 0).Result.Fault);
        Assert.True(m.Translate(p.Pid, 2, 0).Swapped);
    }

    [Fact]
    public void Without_swap_space_a_segment_that_cannot_come_back_kills_the_process()
    {
        var m = Run("""
            machine: { translation: segmentation, memory: 8KiB, swap: 4KiB }
            processes:
              - name: p
                steps:
                  - segment: { id: 0, size: 4KiB }
                  - segment: { id: 1, size: 4KiB }
                  - segment: { id: 2, size: 4KiB }
                  - segment: { id: 3, size: 4KiB }
            """);
        // Segment 2 pushed segment 0 out (filling swap); segment 3 finds no hole and no swap left.
        Assert.Equal(1, m.Counters.SegmentSwapOuts);
        Assert.Equal(1, m.Counters.SegmentAllocFailures);
        Assert.Equal("segment 3: 4096 bytes cannot be placed: free 0 bytes in 0 holes, largest 0; no segment can be swapped out",
            m.Log.Events.Single(e => e.Type == "alloc_fail").Message);
    }

    [Fact]
    public void The_report_json_has_the_fragmentation_and_the_memory_map()
    {
        var m = Run(Textbook);
        var json = JsonDocument.Parse(SegmentationReport.Build(m).ToJson()).RootElement;
        var ext = json.GetProperty("external_fragmentation");
        Assert.Equal(4292, ext.GetProperty("free_bytes").GetInt64());
        Assert.Equal(1492, ext.GetProperty("largest_hole_bytes").GetInt64());
        Assert.Equal(4, ext.GetProperty("holes").GetInt32());
        Assert.Equal([1400L, 800, 600, 1492], ext.GetProperty("hole_list").EnumerateArray().Select(h => h.GetProperty("size").GetInt64()));
        Assert.Equal([1400L, 3200, 4300, 4700, 6300], json.GetProperty("memory_map").EnumerateArray().Select(a => a.GetProperty("base").GetInt64()));
        Assert.Equal("segmentation", json.GetProperty("machine").GetProperty("translation").GetString());
        Assert.Equal("first_fit", json.GetProperty("machine").GetProperty("placement").GetString());
        var seg2 = json.GetProperty("processes")[0].GetProperty("segments")[2];
        Assert.Equal((2, 4300L, 400L, "resident"), (seg2.GetProperty("id").GetInt32(), seg2.GetProperty("base").GetInt64(),
            seg2.GetProperty("limit").GetInt64(), seg2.GetProperty("state").GetString()));
    }
}
